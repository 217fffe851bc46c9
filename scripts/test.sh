#!/usr/bin/env bash
# The Isthmus test command (README and CI run exactly this): the whole solution in Release, then a
# bounded fuzzing run when the fuzz harness is present. Network-namespace interop tests need root and
# scripts/setup.sh; elsewhere they are skipped with the reason printed (set ISTHMUS_REQUIRE_NETNS=1 to
# make them fail instead, as CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ ${CI:-} == "true" ]]; then
  export ISTHMUS_REQUIRE_NETNS="${ISTHMUS_REQUIRE_NETNS:-1}"
fi

echo "test.sh: dotnet test Operator.sln -c Release"
dotnet test Operator.sln -c Release --logger "console;verbosity=normal"

if [[ -f tests/fuzz/run.sh ]]; then
  echo "test.sh: bounded fuzz run (60 s)"
  bash tests/fuzz/run.sh 60
else
  echo "test.sh: tests/fuzz/run.sh not present, no fuzz run"
fi

echo "test.sh: all tests passed"
