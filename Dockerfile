# Isthmus images, one target each:
#   docker build --target operator  -t isthmus/operator  .
#   docker build --target iked      -t isthmus/iked      .
#   docker build --target dataplane -t isthmus/dataplane .
#
# Base images are build arguments. A release pins both by digest, so that the same sources give the same image:
#   docker build --build-arg DOTNET_SDK=mcr.microsoft.com/dotnet/sdk:10.0@sha256:<digest> \
#                --build-arg DEBIAN=debian:bookworm-slim@sha256:<digest> --target operator -t isthmus/operator .
# Without a registry, scripts/images.sh makes both bases locally (Debian 12 from debootstrap; that base plus the
# .NET SDK installed on the machine) and builds the three targets on them.
# There is no "# syntax=" line on purpose: it would make BuildKit pull a frontend image. The file builds with
# BuildKit and with the legacy builder; for the legacy builder, which builds every stage before its target, the
# stages are ordered so that each target builds only what it needs beyond the one before it.
#
# The .NET parts are published self-contained, once, in one build stage. Everything runs on Debian 12, whose
# DPDK 22.11 (ABI 23) is the one the dataplane's bindings and its C shim are written against.

ARG DOTNET_SDK=mcr.microsoft.com/dotnet/sdk:10.0
ARG DEBIAN=debian:bookworm-slim

# ---- build: one restore, three self-contained executables --------------------------------------------------------
FROM ${DOTNET_SDK} AS build
WORKDIR /src
# Only what the three executables are built from: a change under tests/, charts/ or docs/ keeps this stage cached.
COPY Directory.Build.props Directory.Packages.props ./
COPY operator operator
COPY dataplane-node dataplane-node
# The three restores share one package download (each project restores its whole reference graph once);
# the publishes then run without restoring. No libdpdk here, so Isthmus.Dpdk skips its shim (the shim stage
# below builds it against Debian's DPDK, for the dataplane image).
RUN set -e; \
    for project in operator/Isthmus.Operator dataplane-node/Isthmus.IkeDaemon dataplane-node/Isthmus.Dataplane; do \
      dotnet restore "$project" -r linux-x64 -p:SelfContained=true; \
    done; \
    publish() { dotnet publish "$1" -c Release -r linux-x64 --self-contained --no-restore -p:DebugType=none -o "$2"; }; \
    publish operator/Isthmus.Operator /out/operator; \
    publish dataplane-node/Isthmus.IkeDaemon /out/iked; \
    publish dataplane-node/Isthmus.Dataplane /out/dataplane

# ---- runtime: what a self-contained .NET executable needs (InvariantGlobalization: no ICU) -----------------------
FROM ${DEBIAN} AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 zlib1g \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# ---- operator: a Deployment, non-root ------------------------------------------------------------------------------
# Runs as 65532 (the chart's runAsUser, with a read-only root file system and every capability dropped): it only
# talks to the API server and serves /metrics, /healthz and /readyz on 8080.
FROM runtime AS operator
COPY --from=build /out/operator /app
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/isthmus-operator"]

# ---- iked: one pod per gateway node, host network, UDP 500/4500 -------------------------------------------------
# Runs as root (uid 0) with only the capabilities the operator's IKE pod grants (NET_ADMIN, NET_BIND_SERVICE,
# NET_RAW; every other one dropped, no privilege escalation, read-only root file system):
#  - it binds UDP 500 and 4500 on the node's addresses: ports below 1024 need NET_BIND_SERVICE, and a pod cannot
#    give a non-root process a capability (Kubernetes has no ambient capabilities, and file capabilities do not
#    apply under no_new_privs);
#  - it installs the keys it negotiates through the dataplane's control socket, which the dataplane (root,
#    below) creates with mode 0600 in the node's /run/isthmus: only uid 0 may connect.
FROM runtime AS iked
COPY --from=build /out/iked /app
EXPOSE 500/udp 4500/udp
ENTRYPOINT ["/app/isthmus-iked"]

# ---- shim: the C shim over DPDK's static inline functions, against Debian 12's libdpdk ---------------------------
FROM ${DEBIAN} AS shim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev pkg-config libdpdk-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY dataplane-node/Isthmus.Dpdk/Native/isthmus_dpdk.c /src/isthmus_dpdk.c
RUN mkdir /out && cc -O3 -Wall -Wextra -Werror -DALLOW_EXPERIMENTAL_API -shared -fPIC \
      $(pkg-config --cflags libdpdk) /src/isthmus_dpdk.c -o /out/libisthmus_dpdk.so $(pkg-config --libs libdpdk)

# ---- dataplane: the privileged DaemonSet (hugepages, NIC access) -------------------------------------------------
# Root: DPDK maps hugepages, opens vfio devices and raw sockets. Debian's "dpdk" package holds only the tools (its
# libraries are Recommends), so the libraries are named: the ones the bindings and the shim load, and the drivers
# EAL loads as plugins from its PMD directory: the vdev and PCI buses, the ring mempool, the software ports the
# dataplane uses where no NIC is given to DPDK (af_packet, af_xdp, tap, memif, ring, null), common server NICs bound
# to vfio-pci (Intel i40e/ice/iavf/ixgbe, NVIDIA mlx5, virtio, VMXNET3, ENA, gVNIC) and the crypto devices
# (aesni_gcm and aesni_mb from intel-ipsec-mb, OpenSSL, QAT).
FROM runtime AS dataplane
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      librte-eal23 librte-mempool23 librte-mbuf23 librte-ethdev23 librte-cryptodev23 librte-ipsec23 librte-acl23 \
      librte-ip-frag23 \
      librte-bus-vdev23 librte-bus-pci23 librte-mempool-ring23 \
      librte-net-af-packet23 librte-net-af-xdp23 librte-net-tap23 librte-net-memif23 librte-net-ring23 librte-net-null23 \
      librte-net-i40e23 librte-net-ice23 librte-net-iavf23 librte-net-ixgbe23 librte-net-mlx5-23 librte-net-virtio23 \
      librte-net-vmxnet3-23 librte-net-ena23 librte-net-gve23 \
      librte-crypto-ipsec-mb23 librte-crypto-openssl23 librte-common-qat23 \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/dataplane /app
COPY --from=shim /out/libisthmus_dpdk.so /app/libisthmus_dpdk.so
ENTRYPOINT ["/app/isthmus-dataplane"]
