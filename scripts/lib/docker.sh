# shellcheck shell=bash
# Docker engine and local base images for Isthmus, sourced by scripts/images.sh and .ci/run.
#
#   isthmus_step NAME CMD...          run CMD, print and remember how long it took (isthmus_timings lists them)
#   docker_engine_start               use the running engine, or start Debian's dockerd by hand
#   docker_engine_stop                stop the dockerd docker_engine_start started (by PID) and undo its host changes
#   docker_engine_stop_kept           the same for a dockerd an earlier session left running (its pid file)
#   docker_debian_base TAG            debootstrap --variant=minbase bookworm, imported as TAG
#   docker_dotnet_sdk_image BASE TAG  BASE plus this machine's .NET SDK, as TAG
#   docker_build_target TARGET TAG    one target of the Dockerfile, FROM the local bases
#   docker_session_lock               one Isthmus docker session per machine at a time (waits for the other)
#   docker_remove_image_tree BASE     BASE and every image built on it (CI cleans up after itself)
#
# No registry is needed: the Debian base comes from the Debian mirror through debootstrap, and the .NET SDK image
# is the base plus the SDK installed on this machine. With a registry, the Dockerfile's defaults (or digests, see
# its header) work as well and none of this is needed.
#
# An engine that already runs (`docker info` answers) is used as it is and never stopped. Otherwise dockerd is
# started under setsid with its own log and pid file, and stopped by that PID. Starting dockerd changes the host's
# network: it turns on IPv4 forwarding, sets the FORWARD policy to DROP, adds its iptables chains and rules and the
# docker0 bridge. docker_engine_stop puts back what was there before: the forwarding setting, the FORWARD policy,
# and removes the chains, rules and bridge that were not there.

ISTHMUS_DEBIAN_TAG=${ISTHMUS_DEBIAN_TAG:-isthmus-local/debian:bookworm}
ISTHMUS_DOTNET_SDK_TAG=${ISTHMUS_DOTNET_SDK_TAG:-isthmus-local/dotnet-sdk:10.0}
ISTHMUS_DOCKER_STATE=${ISTHMUS_DOCKER_STATE:-/run/isthmus-docker}

# What the .NET SDK needs from Debian 12 at run time (the dependencies of Microsoft's dotnet-runtime-deps package
# for Debian 12, plus ca-certificates for NuGet over HTTPS). A machine "with the .NET SDK" has these.
DOTNET_SDK_DEBIAN_DEPS=(ca-certificates libc6 libgcc-s1 libgssapi-krb5-2 libicu72 libssl3 libstdc++6 tzdata zlib1g)

# The legacy builder works with every docker client (the 20.10 CLI of Debian, newer CLIs without buildx) and needs
# no frontend image; with BuildKit, the Dockerfile builds the same (it has no "# syntax=" line).
export DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0}

ISTHMUS_TIMINGS=()
_isthmus_dockerd_pid=""
_isthmus_host_state=""

isthmus_step() {
  local name=$1
  shift
  local started rc=0
  started=$(date +%s)
  echo "== ${name}"
  # Errors are checked explicitly in the functions run here: errexit does not apply inside a command tested by ||.
  "$@" || rc=$?
  local took=$(( $(date +%s) - started ))
  ISTHMUS_TIMINGS+=("$(printf '%-44s %5d s%s' "$name" "$took" "$([[ $rc -eq 0 ]] || echo "  (failed, exit $rc)")")")
  echo "== ${name}: ${took} s"
  return "$rc"
}

isthmus_timings() {
  local line
  echo "== timings"
  for line in "${ISTHMUS_TIMINGS[@]}"; do
    echo "   ${line}"
  done
}

# A session that started dockerd stops it at its end: a second session must not lose the engine under its feet.
# The lock is on fd 9, closed for dockerd so that an engine left running does not hold it.
docker_session_lock() {
  local lock=${ISTHMUS_DOCKER_LOCK:-/run/lock/isthmus-docker.lock}
  mkdir -p "$(dirname "$lock")"
  exec 9>"$lock"
  if ! flock -n 9; then
    echo "docker: another Isthmus docker session holds $lock; waiting for it (at most 1 h)"
    flock -w 3600 9 || { echo "docker: gave up waiting for $lock" >&2; return 1; }
  fi
}

docker_engine_reachable() {
  timeout 20 docker info >/dev/null 2>&1
}

docker_engine_start() {
  if docker_engine_reachable; then
    echo "docker: using the running engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    return 0
  fi
  if ! command -v dockerd >/dev/null; then
    echo "docker: no engine answers and dockerd is not installed (apt-get install docker.io)" >&2
    return 1
  fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "docker: no engine answers; starting dockerd needs root" >&2
    return 1
  fi

  mkdir -p "$ISTHMUS_DOCKER_STATE"
  local log="$ISTHMUS_DOCKER_STATE/dockerd.log" pidfile="$ISTHMUS_DOCKER_STATE/dockerd.pid"
  _isthmus_host_state="$ISTHMUS_DOCKER_STATE/host-before"
  rm -rf "$_isthmus_host_state" && mkdir -p "$_isthmus_host_state"
  _docker_save_host_network "$_isthmus_host_state"

  # Not a process group leader, so setsid does not fork: $! is dockerd itself (checked against its pid file).
  setsid /usr/sbin/dockerd --pidfile "$pidfile" >"$log" 2>&1 </dev/null 9>&- &
  _isthmus_dockerd_pid=$!
  echo "docker: started dockerd (pid ${_isthmus_dockerd_pid}, log ${log})"
  local i
  for i in $(seq 120); do
    if ! kill -0 "$_isthmus_dockerd_pid" 2>/dev/null; then
      echo "docker: dockerd exited during start-up:" >&2
      tail -n 30 "$log" >&2
      _isthmus_dockerd_pid=""
      _docker_restore_host_network "$_isthmus_host_state"
      return 1
    fi
    if docker_engine_reachable; then
      if [[ -f $pidfile && $(cat "$pidfile") != "$_isthmus_dockerd_pid" ]]; then
        echo "docker: $pidfile names $(cat "$pidfile"), not ${_isthmus_dockerd_pid}" >&2
      fi
      echo "docker: engine up after ${i} s ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
      return 0
    fi
    sleep 1
  done
  echo "docker: dockerd did not answer within 120 s:" >&2
  tail -n 30 "$log" >&2
  docker_engine_stop
  return 1
}

docker_engine_stop() {
  if [[ -z $_isthmus_dockerd_pid ]]; then
    return 0
  fi
  local pid=$_isthmus_dockerd_pid i
  _isthmus_dockerd_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "docker: dockerd (pid $pid) still runs 30 s after SIGTERM: SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "docker: stopped dockerd (pid $pid)"
  if [[ -n $_isthmus_host_state ]]; then
    _docker_restore_host_network "$_isthmus_host_state"
    rm -rf "$_isthmus_host_state"
    _isthmus_host_state=""
  fi
}

# Stops a dockerd that an earlier session started and left running (scripts/images.sh --keep-engine): the PID in
# its pid file, when that process is dockerd and the host state saved at its start is still there.
docker_engine_stop_kept() {
  local pidfile="$ISTHMUS_DOCKER_STATE/dockerd.pid" pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if [[ -z $pid || ! -d $ISTHMUS_DOCKER_STATE/host-before || $(cat "/proc/$pid/comm" 2>/dev/null) != dockerd ]]; then
    echo "docker: no dockerd started by an Isthmus script runs (${pidfile})"
    return 0
  fi
  _isthmus_dockerd_pid=$pid
  _isthmus_host_state="$ISTHMUS_DOCKER_STATE/host-before"
  docker_engine_stop
}

_docker_save_host_network() {
  local dir=$1
  cat /proc/sys/net/ipv4/ip_forward >"$dir/ip_forward"
  if command -v iptables-save >/dev/null; then
    iptables-save -t filter 2>/dev/null | grep -E '^(:|-A)' >"$dir/filter" || true
    iptables-save -t nat 2>/dev/null | grep -E '^(:|-A)' >"$dir/nat" || true
    # iptables-save lists the built-in chains of a table that does not exist: ask nftables whether it does.
    if _docker_iptables_on_nftables; then
      local table
      for table in filter nat; do
        nft list table ip "$table" >/dev/null 2>&1 || touch "$dir/$table.absent"
      done
    fi
  fi
  if ip link show docker0 >/dev/null 2>&1; then
    touch "$dir/docker0"
  fi
}

_docker_iptables_on_nftables() {
  command -v nft >/dev/null && iptables -V 2>/dev/null | grep -q nf_tables
}

# Undo what dockerd added to the host's network and what was not there before it started: its iptables rules and
# chains (only rules naming a DOCKER chain or docker0), the FORWARD policy, IPv4 forwarding, the docker0 bridge.
_docker_restore_host_network() {
  local dir=$1 table line chain
  if command -v iptables-save >/dev/null && [[ -f $dir/filter ]]; then
    for table in filter nat; do
      while IFS= read -r line; do
        if ! grep -qxF -- "$line" "$dir/$table"; then
          local -a rule
          read -ra rule <<<"${line#-A }"
          iptables -t "$table" -D "${rule[@]}" 2>/dev/null || true
        fi
      done < <(iptables-save -t "$table" 2>/dev/null | grep -E '^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) ' | grep -E 'DOCKER|docker0')
      while IFS= read -r chain; do
        if ! grep -q "^:${chain} " "$dir/$table"; then
          iptables -t "$table" -F "$chain" 2>/dev/null || true
        fi
      done < <(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(DOCKER[^ ]*\) .*/\1/p')
      while IFS= read -r chain; do
        if ! grep -q "^:${chain} " "$dir/$table"; then
          iptables -t "$table" -X "$chain" 2>/dev/null || true
        fi
      done < <(iptables-save -t "$table" 2>/dev/null | sed -n 's/^:\(DOCKER[^ ]*\) .*/\1/p')
    done
    local before
    before=$(sed -n 's/^:FORWARD \([A-Z]*\) .*/\1/p' "$dir/filter")
    iptables -t filter -P FORWARD "${before:-ACCEPT}" 2>/dev/null || true
    # Tables that did not exist before and are empty again go too (nftables only: legacy tables cannot be removed).
    for table in filter nat; do
      if [[ -e $dir/$table.absent ]] && ! iptables-save -t "$table" 2>/dev/null | grep -q '^-A'; then
        nft delete table ip "$table" 2>/dev/null || true
      fi
    done
  fi
  if [[ ! -e $dir/docker0 ]] && ip link show docker0 >/dev/null 2>&1; then
    ip link del docker0 2>/dev/null || true
  fi
  local forward
  forward=$(cat "$dir/ip_forward")
  if [[ $(cat /proc/sys/net/ipv4/ip_forward) != "$forward" ]]; then
    echo "$forward" >/proc/sys/net/ipv4/ip_forward
  fi
  echo "docker: host network as before dockerd (ip_forward=${forward}, FORWARD policy, iptables chains, docker0)"
}

# The Debian mirror this machine uses: the URIs of the bookworm (or bookworm-security) stanza of its deb822 sources,
# else its one-line sources, else deb.debian.org.
debian_mirror() {
  local suite=${1:-bookworm} uri=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    uri=$(awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        uris = ""; match_suite = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uris = u[1] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) match_suite = 1 }
        }
        if (match_suite && uris != "") { print uris; exit }
      }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [[ -z $uri && -f /etc/apt/sources.list ]]; then
    uri=$(awk -v suite="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i + 1) == suite) { print $i; exit } } }' /etc/apt/sources.list)
  fi
  if [[ -z $uri ]]; then
    if [[ $suite == *-security ]]; then uri=http://deb.debian.org/debian-security; else uri=http://deb.debian.org/debian; fi
  fi
  echo "${uri%/}"
}

# A pristine minbase bookworm as a tar stream file. With ISTHMUS_DEBOOTSTRAP_CACHE set to a directory, a tarball
# younger than a day is reused (only the debootstrap output: no package the tests or images install).
_debian_rootfs_tar() {
  local out=$1 cache=${ISTHMUS_DEBOOTSTRAP_CACHE:-}
  if [[ -n $cache && -f $cache/bookworm-minbase.tar ]] && [[ -n $(find "$cache/bookworm-minbase.tar" -mmin -1440) ]]; then
    echo "debootstrap: reusing $cache/bookworm-minbase.tar ($(stat -c %y "$cache/bookworm-minbase.tar" | cut -d. -f1))"
    cp "$cache/bookworm-minbase.tar" "$out"
    return 0
  fi
  local mirror security root
  mirror=$(debian_mirror bookworm)
  security=$(debian_mirror bookworm-security)
  root=$(mktemp -d /tmp/isthmus-rootfs.XXXXXX)
  echo "debootstrap: --variant=minbase bookworm from ${mirror}"
  if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1; then
    tail -n 30 "$root.log" >&2
    rm -rf "$root" "$root.log"
    return 1
  fi
  # The sources a Debian 12 image has (main, updates, security), on this machine's mirror.
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: ${mirror}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security}
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/var/log/apt/*
  : >"$root/etc/hostname"
  local rc=0
  tar --numeric-owner --xattrs -C "$root" -cf "$out" . || rc=$?
  rm -rf "$root" "$root.log"
  [[ $rc -eq 0 ]] || return "$rc"
  if [[ -n $cache ]]; then
    mkdir -p "$cache"
    cp "$out" "$cache/bookworm-minbase.tar.new" && mv "$cache/bookworm-minbase.tar.new" "$cache/bookworm-minbase.tar"
  fi
}

docker_debian_base() {
  local tag=$1 tar previous
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed (apt-get install debootstrap)" >&2; return 1; }
  tar=$(mktemp /tmp/isthmus-rootfs.XXXXXX.tar)
  if ! _debian_rootfs_tar "$tar"; then
    rm -f "$tar"
    return 1
  fi
  previous=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase bookworm" \
    "$tar" "$tag" >/dev/null || { rm -f "$tar"; return 1; }
  rm -f "$tar"
  _docker_drop_replaced_image "$previous" "$tag"
  echo "debian base: $tag ($(docker_image_size "$tag"))"
}

# The .NET SDK this machine has: DOTNET_ROOT, else the directory of the dotnet on PATH, else /usr/share/dotnet.
dotnet_sdk_root() {
  local root=${DOTNET_ROOT:-}
  if [[ -z $root || ! -x $root/dotnet ]] && command -v dotnet >/dev/null; then
    root=$(dirname "$(readlink -f "$(command -v dotnet)")")
  fi
  if [[ -z $root || ! -x $root/dotnet ]]; then
    root=/usr/share/dotnet
  fi
  [[ -x $root/dotnet ]] || { echo "no .NET SDK found (DOTNET_ROOT, dotnet on PATH, /usr/share/dotnet)" >&2; return 1; }
  echo "$root"
}

# The local CA certificates of this machine (Debian's place for them, which update-ca-certificates adds to the
# system bundle). Where a network inspects TLS, its CA is there; the SDK image and the CI root trust the same ones,
# so that NuGet restores inside them as it does on the host.
LOCAL_CA_DIR=${LOCAL_CA_DIR:-/usr/local/share/ca-certificates}

docker_dotnet_sdk_image() {
  local base=$1 tag=$2 root sdk previous staging rc=0
  root=$(dotnet_sdk_root) || return 1
  sdk=$("$root/dotnet" --list-sdks | awk '$1 ~ /^10\./ { v = $1 } END { print v }')
  [[ -n $sdk ]] || { echo "no .NET 10 SDK in $root ($("$root/dotnet" --list-sdks | tr '\n' ' '))" >&2; return 1; }
  echo "dotnet sdk: ${sdk} from ${root}"
  previous=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  staging=$(mktemp -d /tmp/isthmus-sdk-image.XXXXXX)
  mkdir -p "$staging/local-ca"
  if [[ -d $LOCAL_CA_DIR ]]; then
    find "$LOCAL_CA_DIR" -maxdepth 1 -name '*.crt' -exec cp {} "$staging/local-ca/" \;
  fi
  cat >"$staging/Dockerfile" <<EOF
ARG BASE
FROM \${BASE}
COPY local-ca/ /usr/local/share/ca-certificates/
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${DOTNET_SDK_DEBIAN_DEPS[*]} \\
 && apt-get clean && rm -rf /var/lib/apt/lists/*
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 NUGET_XMLDOC_MODE=skip
EOF
  # One tar stream as the context: the Dockerfile and the local CAs from the staging directory, the SDK as dotnet/.
  tar -cf - -C "$staging" Dockerfile local-ca \
      --transform "s|^$(basename "$root")|dotnet|" -C "$(dirname "$root")" "$(basename "$root")" \
    | docker build -q -t "$tag" --build-arg "BASE=${base}" --label "dev.isthmus.dotnet-sdk=${sdk}" - >/dev/null || rc=$?
  rm -rf "$staging"
  [[ $rc -eq 0 ]] || return "$rc"
  _docker_drop_replaced_image "$previous" "$tag"
  echo "dotnet sdk image: $tag ($(docker_image_size "$tag"))"
}

# Builds one target of the repository's Dockerfile (run from the repository root) on the local bases. The build's
# output goes to a log that is printed when the build fails (ISTHMUS_BUILD_VERBOSE=1 streams it instead).
docker_build_target() {
  local target=$1 tag=$2 log rc=0
  local -a build=(docker build --force-rm --build-arg "DEBIAN=${ISTHMUS_DEBIAN_TAG}" --build-arg "DOTNET_SDK=${ISTHMUS_DOTNET_SDK_TAG}"
    --target "$target" -t "$tag" .)
  if [[ ${ISTHMUS_BUILD_VERBOSE:-0} == 1 ]]; then
    "${build[@]}" || return
  else
    log=$(mktemp /tmp/isthmus-build.XXXXXX)
    "${build[@]}" >"$log" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
      tail -n 80 "$log" >&2
      rm -f "$log"
      return "$rc"
    fi
    rm -f "$log"
  fi
  echo "image: $tag ($(docker_image_size "$tag"))"
}

# Removes BASE and every image built on it, tagged or not (intermediate stages of the legacy builder included),
# newest first. An image belongs to the tree when its first layer is BASE's: a base imported from a fresh debootstrap
# has a layer of its own, so nothing built on another base is touched.
docker_remove_image_tree() {
  local base=$1 layer id
  layer=$(docker image inspect --format '{{index .RootFS.Layers 0}}' "$base" 2>/dev/null) || return 0
  local -a tree=()
  while read -r _ id; do
    tree+=("$id")
  done < <(docker image ls --all --quiet --no-trunc | sort -u \
    | xargs -r docker image inspect --format '{{.Created}} {{.Id}} {{index .RootFS.Layers 0}}' \
    | awk -v layer="$layer" '$3 == layer { print $1, $2 }' | sort -r)
  for id in "${tree[@]}"; do
    docker image rm --force "$id" >/dev/null 2>&1 || true
  done
  echo "docker: removed ${#tree[@]} image(s) built on $base"
}

docker_image_size() {
  docker image inspect --format '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1000000 }'
}

# After a tag moved to a new image, removes the image it named before (when no other tag or container uses it).
_docker_drop_replaced_image() {
  local previous=$1 tag=$2 now
  [[ -n $previous ]] || return 0
  now=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  if [[ $previous != "$now" ]]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
}
