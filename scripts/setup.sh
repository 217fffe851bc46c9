#!/usr/bin/env bash
# Installs what the Isthmus test suite and demo need on Debian 12 (run as root):
# strongSwan (the IKEv2 interop peer, with kernel-libipsec from the extra plugins), traffic and capture
# tools, nftables (NAT/loss between namespaces) and afl++ (fuzzing). Idempotent and non-interactive.
set -euo pipefail

packages=(
  strongswan-charon strongswan-swanctl libstrongswan-extra-plugins libcharon-extra-plugins
  iperf3 tcpdump iputils-ping nftables iproute2 afl++
  dpdk dpdk-dev libdpdk-dev pkg-config gcc
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

# If a system IKE daemon runs anyway (installed earlier by someone else), stop it: it is not ours to keep
# and it would answer on the root namespace's IKE ports.
if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
  for unit in strongswan.service strongswan-starter.service; do
    if systemctl is-active --quiet "$unit"; then
      echo "setup.sh: stopping $unit"
      systemctl stop "$unit"
    fi
  done
fi

for tool in /usr/lib/ipsec/charon swanctl ip iperf3 tcpdump ping nft afl-fuzz; do
  if [[ $tool == /* ]]; then
    [[ -x $tool ]] || { echo "setup.sh: $tool missing after install" >&2; exit 1; }
  else
    command -v "$tool" >/dev/null || { echo "setup.sh: $tool missing after install" >&2; exit 1; }
  fi
done
echo "setup.sh: ready"
