#!/usr/bin/env bash
# Fuzz the IKE message codec with afl-fuzz through SharpFuzz.
#
#   tests/fuzz/run.sh [SECONDS]     fuzz for SECONDS (default 60); exit 1 if afl-fuzz found a crash or hang
#   tests/fuzz/run.sh --replay      run the target once on every corpus file (and past findings), no AFL
#
# Needs: the .NET SDK, Debian's afl++ (apt-get install afl++), and NuGet for the SharpFuzz tool.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project="$here/Isthmus.Ike.Fuzz/Isthmus.Ike.Fuzz.csproj"
out="$here/out"
corpus="$here/corpus"
findings="$here/findings"
harness="$out/Isthmus.Ike.Fuzz.dll"

build() {
    rm -rf "$out"
    dotnet build "$project" -c Release -o "$out" -nologo -v quiet
}

if [[ "${1:-}" == "--replay" ]]; then
    build
    inputs=("$corpus")
    for dir in "$findings"/afl/default/crashes "$findings"/afl/default/hangs; do
        [[ -d "$dir" ]] && inputs+=("$dir")
    done
    exec dotnet "$harness" --replay "${inputs[@]}"
fi

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
    echo "usage: $0 [SECONDS | --replay]" >&2
    exit 2
fi

if ! command -v afl-fuzz >/dev/null; then
    echo "afl-fuzz not found: apt-get install afl++" >&2
    exit 2
fi

# The SharpFuzz instrumentation tool, pinned in .config/dotnet-tools.json.
(cd "$here" && dotnet tool restore >/dev/null)

build
# Instrument only the library under test; the harness itself stays plain.
(cd "$here" && dotnet sharpfuzz "$out/Isthmus.Ike.dll")

rm -rf "$findings"
mkdir -p "$findings"

# Unattended, as root, in CI: no UI, no CPU governor or core-pattern prompts, the target is
# the dotnet host (not an afl-instrumented binary), no CPU pinning on a shared machine.
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_SKIP_BIN_CHECK=1
export AFL_NO_UI=1
export AFL_NO_AFFINITY=1
export AFL_FORKSRV_INIT_TMOUT=60000

log="$findings/afl-fuzz.log"
echo "fuzzing for ${seconds}s (afl-fuzz output: $log)"
if ! afl-fuzz -i "$corpus" -o "$findings/afl" -V "$seconds" -t 5000 -m none -- dotnet "$harness" </dev/null >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "afl-fuzz failed to run" >&2
    exit 2
fi

stats="$findings/afl/default/fuzzer_stats"
if [[ -f "$stats" ]]; then
    grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg) ' "$stats"
fi

crashes=$(find "$findings/afl/default/crashes" -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$findings/afl/default/hangs" -type f -name 'id:*' 2>/dev/null | wc -l)
echo "afl-fuzz: $crashes crashes, $hangs hangs (inputs under $findings/afl/default)"
if (( crashes > 0 || hangs > 0 )); then
    exit 1
fi
