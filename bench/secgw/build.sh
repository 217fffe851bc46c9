#!/usr/bin/env bash
# Builds DPDK's examples/ipsec-secgw (the reference for the dataplane benchmark) from Debian's dpdk
# source package, against the installed libdpdk (pkg-config). Idempotent: does nothing when the
# binary for the installed libdpdk version is already built.
#
# The DPDK source is fetched into a cache directory outside the repository (never committed):
#   $ISTHMUS_BENCH_CACHE (default /var/cache/isthmus-bench)
# Prints the path of the built binary on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${ISTHMUS_BENCH_CACHE:-/var/cache/isthmus-bench}"
sources_list=/etc/apt/sources.list.d/isthmus-bench-src.sources

log() { echo "secgw-build: $*" >&2; }

# apt commands, retried while another apt or dpkg holds the lock (other jobs install packages too).
apt_retry() {
    local attempt
    for attempt in $(seq 1 30); do
        if apt-get -o DPkg::Lock::Timeout=60 "$@"; then return 0; fi
        log "apt-get $1 failed (attempt $attempt), retrying in 10 s"
        sleep 10
    done
    return 1
}

find_source() {
    find "$cache" -maxdepth 1 -type d \( -name "dpdk-stable-$upstream" -o -name "dpdk-$upstream" \) | head -n 1
}

if ! pkg-config --exists libdpdk; then
    log "libdpdk not found by pkg-config: run 'apt-get install -y dpdk dpdk-dev libdpdk-dev' first"
    exit 1
fi

# Build against exactly the installed library: take the source package of the same version.
version="$(dpkg-query -W -f='${Version}' libdpdk-dev)"
upstream="${version%%-*}"
tree="$cache/secgw-$version"
work="$tree/ipsec-secgw"
binary="$work/build/ipsec-secgw"

if [[ -x "$binary" && "$binary" -nt "$here/build.sh" && "$binary" -nt "$here/rx-offloads.patch" ]]; then
    log "already built ($version)"
    echo "$binary"
    exit 0
fi

mkdir -p "$cache"
src="$(find_source)"
if [[ -z "$src" || ! -d "$src/examples/ipsec-secgw" ]]; then
    if [[ ! -f "$sources_list" ]]; then
        log "adding deb-src for bookworm main ($sources_list)"
        cat > "$sources_list" <<SRC
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
        apt_retry update -qq
    fi
    command -v dpkg-source > /dev/null || apt_retry install -y -qq dpkg-dev
    log "fetching dpdk $version source package into $cache"
    if ! (cd "$cache" && apt-get source -qq "dpdk=$version" > /dev/null); then
        # The deb-src index may be missing or stale (lists cleaned, new point release): refresh once.
        apt_retry update -qq
        (cd "$cache" && apt-get source -qq "dpdk=$version" > /dev/null)
    fi
    src="$(find_source)"
    if [[ -z "$src" || ! -d "$src/examples/ipsec-secgw" ]]; then
        log "dpdk source for $version not found in $cache after apt-get source"
        exit 1
    fi
fi

log "copying $src/examples/ipsec-secgw to $work"
rm -rf "$tree"
mkdir -p "$tree"
# The example's Makefile adds -I../common: keep examples/common beside it.
cp -r "$src/examples/ipsec-secgw" "$src/examples/common" "$tree/"

# The one change: unmodified, ipsec-secgw asks every port for RX checksum offload and refuses
# the ports that lack it (net_pcap, net_null). Request no RX offloads.
patch -d "$work" -p1 --quiet < "$here/rx-offloads.patch"

log "building with the example's Makefile against libdpdk $(pkg-config --modversion libdpdk)"
make -C "$work" > "$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; exit 1; }
if [[ ! -x "$binary" ]]; then
    log "build finished but $binary is missing"
    exit 1
fi
touch "$binary"
log "built $binary"
echo "$binary"
