#!/usr/bin/env bash
# Builds the three Isthmus images (operator, iked, dataplane) from the Dockerfile, with no registry:
#
#   sudo scripts/images.sh [--fresh-bases] [--keep-engine] [--tag TAG]
#   sudo scripts/images.sh --stop-engine      stop the dockerd a --keep-engine run left running, put the host back
#
#   1. a Docker engine: the one running, else Debian's dockerd started by hand (stopped again at the end, with the
#      host's network put back as it was, unless --keep-engine: then it stays up for the image tests)
#   2. the bases, when the engine lacks them or with --fresh-bases: Debian 12 from debootstrap (minbase bookworm, this
#      machine's Debian mirror) as isthmus-local/debian:bookworm, and that base plus this machine's .NET 10 SDK as
#      isthmus-local/dotnet-sdk:10.0
#   3. isthmus/operator:TAG, isthmus/iked:TAG, isthmus/dataplane:TAG (TAG: dev)
#
# Prints each step's time and the image sizes. Run the image tests on these images with
#   ISTHMUS_IMAGE_OPERATOR=isthmus/operator:dev ISTHMUS_IMAGE_IKED=isthmus/iked:dev \
#   ISTHMUS_IMAGE_DATAPLANE=isthmus/dataplane:dev dotnet test tests/Isthmus.Images.Tests
# (without the variables the tests build the images themselves, on the same local bases).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/docker.sh
source scripts/lib/docker.sh

fresh=0 keep=0 tag=dev
while (($# > 0)); do
  case $1 in
    --fresh-bases) fresh=1 ;;
    --keep-engine) keep=1 ;;
    --tag) tag=${2:?--tag needs a value}; shift ;;
    --stop-engine) docker_session_lock; docker_engine_stop_kept; exit ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "images.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

finish() {
  local rc=$?
  if [[ $keep -eq 0 ]]; then
    docker_engine_stop
  elif [[ -n $_isthmus_dockerd_pid ]]; then
    echo "images.sh: dockerd (pid $_isthmus_dockerd_pid) keeps running (--keep-engine), and with it IPv4 forwarding, its"
    echo "  iptables chains and docker0 on this host: scripts/images.sh --stop-engine stops it and puts them back"
  fi
  isthmus_timings
  exit "$rc"
}
trap finish EXIT

docker_session_lock
isthmus_step "docker engine" docker_engine_start
if [[ $fresh -eq 1 ]] || ! docker image inspect "$ISTHMUS_DEBIAN_TAG" >/dev/null 2>&1; then
  isthmus_step "Debian 12 base (debootstrap)" docker_debian_base "$ISTHMUS_DEBIAN_TAG"
  fresh=1
fi
if [[ $fresh -eq 1 ]] || ! docker image inspect "$ISTHMUS_DOTNET_SDK_TAG" >/dev/null 2>&1; then
  isthmus_step ".NET SDK image" docker_dotnet_sdk_image "$ISTHMUS_DEBIAN_TAG" "$ISTHMUS_DOTNET_SDK_TAG"
fi
for target in operator iked dataplane; do
  isthmus_step "image $target" docker_build_target "$target" "isthmus/$target:$tag"
done
