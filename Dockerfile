# syntax=docker/dockerfile:1
# Isthmus images, one target each:
#   docker build --target operator  -t isthmus/operator  .
#   docker build --target iked      -t isthmus/iked      .
#   docker build --target dataplane -t isthmus/dataplane .
# The .NET parts are published self-contained; everything runs on Debian 12, whose DPDK 22.11
# (ABI 23) is the one the dataplane's bindings and native shim are written against.

ARG DOTNET_SDK=mcr.microsoft.com/dotnet/sdk:10.0
ARG DEBIAN=debian:bookworm-slim

# ---- build: the three executables -------------------------------------------------------------
FROM ${DOTNET_SDK} AS build
WORKDIR /src
COPY . .
RUN dotnet publish operator/Isthmus.Operator -c Release -r linux-x64 --self-contained -o /out/operator \
 && dotnet publish dataplane-node/Isthmus.IkeDaemon -c Release -r linux-x64 --self-contained -o /out/iked \
 && dotnet publish dataplane-node/Isthmus.Dataplane -c Release -r linux-x64 --self-contained -o /out/dataplane

# ---- shim: the C shim over DPDK's static inline functions, against Debian 12's libdpdk --------
FROM ${DEBIAN} AS shim
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev pkg-config libdpdk-dev \
 && rm -rf /var/lib/apt/lists/*
COPY dataplane-node/Isthmus.Dpdk/Native/isthmus_dpdk.c /src/isthmus_dpdk.c
RUN mkdir /out && cc -O3 -Wall -Wextra -Werror -DALLOW_EXPERIMENTAL_API -shared -fPIC \
      $(pkg-config --cflags libdpdk) /src/isthmus_dpdk.c -o /out/libisthmus_dpdk.so $(pkg-config --libs libdpdk)

# ---- runtime base: what a self-contained .NET app needs (InvariantGlobalization: no ICU) -------
FROM ${DEBIAN} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# ---- operator: a Deployment, non-root -----------------------------------------------------------
FROM runtime AS operator
COPY --from=build /out/operator /app
USER 65532:65532
ENTRYPOINT ["/app/isthmus-operator"]

# ---- iked: one pod per gateway node, host network, UDP 500/4500 ----------------------------------
# Binding ports below 1024 needs NET_BIND_SERVICE, which the pod grants; it runs as root in its own
# user namespace only where the cluster allows, so the image does not pin a user.
FROM runtime AS iked
COPY --from=build /out/iked /app
ENTRYPOINT ["/app/isthmus-iked"]

# ---- dataplane: the privileged DaemonSet (hugepages, NIC access) ---------------------------------
FROM runtime AS dataplane
RUN apt-get update \
 && apt-get install -y --no-install-recommends dpdk \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/dataplane /app
COPY --from=shim /out/libisthmus_dpdk.so /app/libisthmus_dpdk.so
ENTRYPOINT ["/app/isthmus-dataplane"]
