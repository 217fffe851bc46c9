#!/usr/bin/env bash
# The Isthmus test command (README and CI run exactly this): installs the system packages the tests
# need (scripts/setup.sh, idempotent), runs the whole solution's tests in Release, then a bounded
# fuzzing run of the IKE message parser. Run as root: the interop tests use network namespaces.
# Outside CI, tests that cannot run (not root, no strongSwan) are skipped with the reason printed;
# in CI (CI=true) they fail instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${CI:-} == "true" ]]; then
  export ISTHMUS_REQUIRE_NETNS="${ISTHMUS_REQUIRE_NETNS:-1}"
fi

if [[ $(id -u) -eq 0 ]]; then
  bash scripts/setup.sh
else
  echo "test.sh: not root: skipping package setup; namespace and strongSwan tests will be skipped"
fi

log=$(mktemp /tmp/isthmus-test.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "test.sh: dotnet test Operator.sln -c Release"
set +e
dotnet test Operator.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e

# One closing line over all test assemblies, from the per-assembly summaries dotnet test prints
# ("Total tests: N" followed by "Passed: N", "Failed: N", "Skipped: N" lines).
read -r passed failed skipped < <(awk '
  /^Total tests:/ { summary = 1; next }
  summary && $1 == "Passed:"  { p += $2; next }
  summary && $1 == "Failed:"  { f += $2; next }
  summary && $1 == "Skipped:" { s += $2; next }
  { summary = 0 }
  END { printf "%d %d %d\n", p, f, s }' "$log")

if [[ $rc -ne 0 ]]; then
  echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
  exit "$rc"
fi

if [[ -f tests/fuzz/run.sh ]]; then
  echo "test.sh: bounded fuzz run of the IKE message parser (60 s)"
  bash tests/fuzz/run.sh 60
fi

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
