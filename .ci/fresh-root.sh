#!/usr/bin/env bash
# Runs inside the CI container (.ci/run), a fresh Debian 12 root from debootstrap with the repository in
# /src/isthmus and the .NET SDK bind-mounted read-only at /usr/share/dotnet. It makes this root "a fresh Debian 12
# machine with the .NET 10 SDK", as the README starts from, and runs the README's test command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/docker.sh
source scripts/lib/docker.sh

stage() {
  isthmus_step "$@"
}

# The SDK is a directory; a machine with the SDK installed also has the Debian packages it runs on (the dependencies
# Microsoft's packages declare) and dotnet on PATH. Nothing else is installed here: scripts/test.sh installs the rest.
sdk_prerequisites() {
  [[ -x /usr/share/dotnet/dotnet ]] || { echo "fresh-root: no .NET SDK at /usr/share/dotnet" >&2; return 1; }
  apt-get update -qq || return
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${DOTNET_SDK_DEBIAN_DEPS[@]}" >/dev/null || return
  ln -sf /usr/share/dotnet/dotnet /usr/bin/dotnet
  dotnet --list-sdks
}

# The tests set network sysctls inside the namespaces they create (ip netns exec NS sysctl -w net....). The engine
# mounts /proc/sys read-only in a container; /proc/sys/net alone is made writable. It shows the sysctls of the
# reading process's network namespace, all of them the container's own or the tests' (the host's stay invisible:
# global net.core settings exist only in the host's namespace), so nothing on the host can change through it.
writable_net_sysctls() {
  mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net
}

restore() {
  dotnet restore Operator.sln </dev/null
}

readme_test_command() {
  bash scripts/test.sh </dev/null
}

finish() {
  local rc=$?
  isthmus_timings
  exit "$rc"
}
trap finish EXIT

echo "fresh-root: $(. /etc/os-release && echo "$PRETTY_NAME"), $(dpkg-query -W -f='${binary:Package}\n' | wc -l) packages installed"
stage "fresh root: .NET SDK prerequisites" sdk_prerequisites
stage "fresh root: writable network sysctls" writable_net_sysctls
stage "fresh root: dotnet restore (from nothing)" restore
stage "fresh root: bash scripts/test.sh" readme_test_command
