#!/usr/bin/env bash
# Dataplane benchmark: the Isthmus DPDK engine against DPDK's own examples/ipsec-secgw (library
# mode), on one machine and one lcore, over the same harness:
#   net_pcap0 (rx_pcap=<capture>, infinite_rx=1) -> engine -> net_null0 (no-rx=1)
# with crypto_aesni_gcm0, one AES-128-GCM SA in IPv4 tunnel mode, outbound and inbound, 64-byte
# (60-byte frame) and 1400-byte (IP packet) packets. Prints one table with Mpps, Gbit/s and the
# Isthmus/ipsec-secgw ratio per cell, and dpdk-test-crypto-perf for the same cipher as the ceiling.
# A benchmark, not a test: it never fails on a slow result. See bench/README.md.
#
# usage: scripts/bench-dataplane.sh [--seconds N] [--warmup S] [--rounds R] [--lcore L] [--huge]
#                                   [--skip-isthmus] [--skip-ceiling]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$repo/bench"

seconds=10
warmup=2
rounds=1
lcore=1
huge=0
skip_isthmus=0
skip_ceiling=0

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

positive_int() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "bench: $1 needs a positive integer, got '$2'" >&2; exit 2; }; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --seconds) positive_int "$1" "${2-}"; seconds="$2"; shift 2 ;;
        --warmup) positive_int "$1" "${2-}"; warmup="$2"; shift 2 ;;
        --rounds) positive_int "$1" "${2-}"; rounds="$2"; shift 2 ;;
        --lcore) [[ "${2-}" =~ ^[0-9]+$ ]] || usage; lcore="$2"; shift 2 ;;
        --huge) huge=1; shift ;;
        --skip-isthmus) skip_isthmus=1; shift ;;
        --skip-ceiling) skip_ceiling=1; shift ;;
        -h|--help) usage ;;
        *) echo "bench: unknown argument '$1'" >&2; usage ;;
    esac
done

log() { echo "bench: $*" >&2; }

if [[ "$(id -u)" -ne 0 ]]; then
    log "DPDK needs root (run with sudo)"
    exit 1
fi
for tool in pkg-config dpdk-test-crypto-perf python3; do
    command -v "$tool" > /dev/null || { log "'$tool' missing: apt-get install -y dpdk dpdk-dev libdpdk-dev python3"; exit 1; }
done
if [[ "$lcore" -ge "$(nproc)" ]]; then
    log "--lcore $lcore: this machine has $(nproc) cores"
    exit 1
fi

# shellcheck source=../bench/secgw/sa.env
source "$bench/secgw/sa.env"

# The ipsec-secgw rule files spell the SA pair of sa.env; refuse to measure if they drifted apart.
colon_key="$(sed 's/../&:/g; s/:$//' <<< "$BENCH_KEY")"
for cfg in ep-out.cfg ep-in.cfg ep-peer.cfg; do
    for needle in "aead_algo $BENCH_AEAD" "aead_key $colon_key" "$BENCH_SPI_OUT" "$BENCH_SPI_IN" \
                  "$BENCH_LOCAL_TUNNEL" "$BENCH_REMOTE_TUNNEL" "$BENCH_LOCAL_NET" "$BENCH_REMOTE_NET"; do
        grep -qF -- "$needle" "$bench/secgw/$cfg" || { log "bench/secgw/$cfg does not contain '$needle' (sa.env)"; exit 1; }
    done
done

work="$(mktemp -d /tmp/isthmus-bench.XXXXXX)"
cleanup() {
    rm -rf /var/run/dpdk/isthmus-bench-$$-* "$work"
}
trap cleanup EXIT

# A unique EAL file prefix per process: its own runtime directory and telemetry socket, and no
# clash with other DPDK processes on the machine.
next_prefix() { echo "isthmus-bench-$$-$1"; }

# EAL arguments of the harness, identical for both engines. --no-huge (the default) needs no
# hugepages; --huge uses the hugepages reserved in /sys/kernel/mm/hugepages (no hugetlbfs mount).
eal_memory() {
    if [[ "$huge" -eq 1 ]]; then echo "--in-memory"; else echo "--no-huge -m 1024"; fi
}
harness_eal() { # prefix rx-pcap
    # shellcheck disable=SC2046
    printf '%s\n' -l "$lcore" $(eal_memory) --no-pci --file-prefix "$1" \
        --vdev "net_pcap0,rx_pcap=$2,infinite_rx=1" --vdev "net_null0,no-rx=1" --vdev crypto_aesni_gcm0
}

# "64" is a 60-byte Ethernet frame (46-byte IP packet); other sizes are IP packet lengths.
ip_length() { if [[ "$1" -eq 64 ]]; then echo 46; else echo "$1"; fi; }

stop_process() { # pid
    local pid="$1" waited=0
    kill -INT "$pid" 2> /dev/null || true
    while kill -0 "$pid" 2> /dev/null && [[ $waited -lt 100 ]]; do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
}

# The runtime directory of a stopped process (its memory files live on tmpfs).
forget_prefix() { rm -rf "/var/run/dpdk/$1"; }

# ---------------------------------------------------------------------------------------------
# 1. ipsec-secgw, built from Debian's dpdk source package.
secgw="$("$bench/secgw/build.sh" | tail -n 1)"
secgw_cfg() { echo "$bench/secgw/ep-$1.cfg"; }
# Port 0 receives from the capture, port 1 transmits; -u marks the unprotected (cipher-side) port.
secgw_unprotected() { if [[ "$1" == out ]]; then echo 0x2; else echo 0x1; fi; }
secgw_args() { # direction
    echo -p 0x3 -P -u "$(secgw_unprotected "$1")" -l -w 0 -f "$(secgw_cfg "$1")" --config "(0,0,$lcore),(1,0,$lcore)"
}

# ---------------------------------------------------------------------------------------------
# 2. Inputs: clear captures for outbound; for inbound, ESP made by ipsec-secgw acting as the
#    remote peer (sequence numbers 1..count; inbound runs with replay window 0, as the reference
#    figures were measured, so the repeating capture is accepted), then checked to decrypt back.
capture_count=256
make_inputs() { # size
    local size="$1" prefix pid
    python3 "$bench/pcapgen/pcapgen.py" --direction out --size "$size" --count "$capture_count" \
        --local-host "$BENCH_LOCAL_HOST" --remote-host "$BENCH_REMOTE_HOST" -o "$work/out-$size.pcap"
    python3 "$bench/pcapgen/pcapgen.py" --direction in --size "$size" --count "$capture_count" \
        --local-host "$BENCH_LOCAL_HOST" --remote-host "$BENCH_REMOTE_HOST" -o "$work/clear-in-$size.pcap"

    prefix="$(next_prefix "peer-$size")"
    # shellcheck disable=SC2046
    "$secgw" -l "$lcore" $(eal_memory) --no-pci --file-prefix "$prefix" \
        --vdev "net_pcap0,rx_pcap=$work/clear-in-$size.pcap" --vdev "net_pcap1,tx_pcap=$work/in-$size.pcap" \
        --vdev crypto_aesni_gcm0 -- -p 0x3 -P -u 0x2 -l -w 0 -f "$bench/secgw/ep-peer.cfg" \
        --config "(0,0,$lcore),(1,0,$lcore)" > "$work/peer-$size.log" 2>&1 &
    pid=$!
    if ! python3 "$bench/tools/ethstats.py" until --file-prefix "$prefix" --port 1 --packets "$capture_count" --timeout 60 --pid "$pid"; then
        stop_process "$pid"
        log "could not write the ESP capture for $size B; ipsec-secgw said:"; tail -n 20 "$work/peer-$size.log" >&2
        exit 1
    fi
    stop_process "$pid"   # closing the port flushes the pcap file
    forget_prefix "$prefix"

    prefix="$(next_prefix "check-$size")"
    # shellcheck disable=SC2046
    "$secgw" -l "$lcore" $(eal_memory) --no-pci --file-prefix "$prefix" \
        --vdev "net_pcap0,rx_pcap=$work/in-$size.pcap" --vdev "net_pcap1,tx_pcap=$work/check-$size.pcap" \
        --vdev crypto_aesni_gcm0 -- -p 0x3 -P -u 0x1 -l -w 0 -f "$(secgw_cfg in)" \
        --config "(0,0,$lcore),(1,0,$lcore)" > "$work/check-$size.log" 2>&1 &
    pid=$!
    if ! python3 "$bench/tools/ethstats.py" until --file-prefix "$prefix" --port 1 --packets "$capture_count" --timeout 60 --pid "$pid"; then
        stop_process "$pid"
        log "the ESP capture for $size B does not decrypt with ep-in.cfg; ipsec-secgw said:"; tail -n 20 "$work/check-$size.log" >&2
        exit 1
    fi
    stop_process "$pid"
    forget_prefix "$prefix"
    python3 "$bench/pcapgen/pcapcompare.py" "$work/clear-in-$size.pcap" "$work/check-$size.pcap" \
        || { log "the ESP capture for $size B does not decrypt back to its clear packets"; exit 1; }
}

sizes=(64 1400)
directions=(out in)
for size in "${sizes[@]}"; do make_inputs "$size"; done
log "inputs ready: $capture_count packets per capture; inbound ESP checked to decrypt back to its clear packets"

# ---------------------------------------------------------------------------------------------
# 3. The Isthmus entry point (contract in bench/README.md).
isthmus_project="${ISTHMUS_BENCH_PROJECT:-$repo/dataplane-node/Isthmus.Dataplane.Bench/Isthmus.Dataplane.Bench.csproj}"
isthmus_dll="${ISTHMUS_BENCH_DLL:-}"
isthmus_reason=""
isthmus_command=()
if [[ "$skip_isthmus" -eq 1 ]]; then
    isthmus_reason="--skip-isthmus"
elif [[ -n "${ISTHMUS_BENCH_COMMAND:-}" ]]; then
    # An executable that takes the same arguments, e.g. a native AOT publish of the entry point.
    read -r -a isthmus_command <<< "$ISTHMUS_BENCH_COMMAND"
    command -v "${isthmus_command[0]}" > /dev/null || isthmus_reason="ISTHMUS_BENCH_COMMAND=${isthmus_command[0]} not found"
elif [[ -n "$isthmus_dll" ]]; then
    [[ -f "$isthmus_dll" ]] || isthmus_reason="ISTHMUS_BENCH_DLL=$isthmus_dll does not exist"
elif [[ ! -f "$isthmus_project" ]]; then
    isthmus_reason="no entry point at ${isthmus_project#"$repo"/}"
elif ! command -v dotnet > /dev/null; then
    isthmus_reason="dotnet SDK not installed"
else
    log "building $(basename "$isthmus_project") (Release)"
    if dotnet build "$isthmus_project" -c Release -o "$work/isthmus" -nologo -v quiet > "$work/isthmus-build.log" 2>&1; then
        isthmus_dll="$work/isthmus/$(basename "$isthmus_project" .csproj).dll"
        [[ -f "$isthmus_dll" ]] || isthmus_reason="build produced no $(basename "$isthmus_dll")"
    else
        tail -n 20 "$work/isthmus-build.log" >&2
        isthmus_reason="build of ${isthmus_project#"$repo"/} failed"
    fi
fi

if [[ -z "$isthmus_reason" && ${#isthmus_command[@]} -eq 0 ]]; then isthmus_command=(dotnet "$isthmus_dll"); fi

isthmus_args() { # direction
    local spi="$BENCH_SPI_OUT"
    [[ "$1" == in ]] && spi="$BENCH_SPI_IN"
    echo --direction "$1" --seconds "$seconds" --warmup "$warmup" --lcore "$lcore" --rx-port 0 --tx-port 1 \
        --aead "$BENCH_AEAD" --key "$BENCH_KEY" --spi "$spi" \
        --local-tunnel "$BENCH_LOCAL_TUNNEL" --remote-tunnel "$BENCH_REMOTE_TUNNEL" \
        --local-net "$BENCH_LOCAL_NET" --remote-net "$BENCH_REMOTE_NET" \
        --replay-window 0 --next-hop-mac "$BENCH_NEXT_HOP_MAC"
}

# ---------------------------------------------------------------------------------------------
# 4. The cells. Each run: start the engine, wait for traffic on port 1, let it warm up, take the
#    transmitted-packet delta over --seconds from the EAL telemetry socket, stop it. Written to
#    stdout: "<packets/s> <packets per CPU-second of the engine process, or ->"; on failure a
#    reason and status 1.
measure() { # engine direction size round
    local engine="$1" direction="$2" size="$3" round="$4" prefix pid logfile result eal=()
    prefix="$(next_prefix "$engine-$direction-$size-$round")"
    logfile="$work/$engine-$direction-$size-$round.log"
    mapfile -t eal < <(harness_eal "$prefix" "$work/$direction-$size.pcap")
    if [[ "$engine" == secgw ]]; then
        # shellcheck disable=SC2046
        "$secgw" "${eal[@]}" -- $(secgw_args "$direction") > "$logfile" 2>&1 &
    else
        # shellcheck disable=SC2046
        "${isthmus_command[@]}" $(isthmus_args "$direction") -- "${eal[@]}" > "$logfile" 2>&1 &
    fi
    pid=$!
    if result="$(python3 "$bench/tools/ethstats.py" rate --file-prefix "$prefix" --port 1 --pid "$pid" \
            --seconds "$seconds" --warmup "$warmup" --startup-timeout 60 2> "$logfile.ethstats")"; then
        if [[ "$engine" == isthmus ]]; then
            # The entry point stops by itself after warm-up + seconds; give it a margin, then stop it.
            local waited=0
            while kill -0 "$pid" 2> /dev/null && [[ $waited -lt 150 ]]; do sleep 0.1; waited=$((waited + 1)); done
        fi
        stop_process "$pid"
    else
        # No telemetry (or no traffic): an Isthmus entry point may still report its own RESULT line.
        if [[ "$engine" == isthmus ]]; then
            local waited=0
            while kill -0 "$pid" 2> /dev/null && [[ $waited -lt $(( (seconds + warmup + 30) * 10 )) ]]; do sleep 0.1; waited=$((waited + 1)); done
        fi
        stop_process "$pid"
        result="$(grep -a '^RESULT ' "$logfile" | tail -n 1 || true)"
        if [[ -z "$result" ]]; then
            echo "$(tail -n 1 "$logfile.ethstats" 2> /dev/null); log: $(grep -av '^$' "$logfile" | tail -n 1)"
            forget_prefix "$prefix"
            return 1
        fi
    fi
    forget_prefix "$prefix"
    python3 - "$result" <<'PY'
import re, sys
fields = dict(re.findall(r"(\w+)=([0-9.]+)", sys.argv[1]))
if "pps" not in fields:
    print(f"no pps in '{sys.argv[1]}'")
    sys.exit(1)
pps = float(fields["pps"])
packets = float(fields.get("packets", pps * float(fields.get("seconds", 0))))
cpu = float(fields.get("cpu", 0))
print(f"{pps:.1f}", f"{packets / cpu:.1f}" if cpu > 0 and packets > 0 else "-")
PY
}

# Keeps the larger of two figures ("-" means none).
larger() { python3 -c "import sys; a, b = sys.argv[1:]; print(b if a == '-' or (b != '-' and float(b) > float(a)) else a)" "$1" "$2"; }

declare -A best best_cpu reason
for round in $(seq 1 "$rounds"); do
    for direction in "${directions[@]}"; do
        for size in "${sizes[@]}"; do
            for engine in secgw isthmus; do
                key="$engine-$direction-$size"
                if [[ "$engine" == isthmus && -n "$isthmus_reason" ]]; then continue; fi
                log "round $round/$rounds: $engine $direction $size B"
                if value="$(measure "$engine" "$direction" "$size" "$round")"; then
                    read -r pps per_cpu <<< "$value"
                    best[$key]="$(larger "${best[$key]--}" "$pps")"
                    best_cpu[$key]="$(larger "${best_cpu[$key]--}" "$per_cpu")"
                    unset "reason[$key]"
                elif [[ -z "${best[$key]-}" ]]; then
                    reason[$key]="$value"
                    log "$engine $direction $size B failed: $value"
                fi
            done
        done
    done
done

# ---------------------------------------------------------------------------------------------
# 5. The ceiling: dpdk-test-crypto-perf, AES-128-GCM on the same crypto PMD and lcore, one process
#    per operation and buffer size (tools/cryptoperf.py also takes the worker thread's CPU time).
ceiling=""
if [[ "$skip_ceiling" -eq 0 ]]; then
    main_lcore=0
    [[ "$lcore" -eq 0 ]] && main_lcore=1
    for op in encrypt decrypt; do
        for size in "${sizes[@]}"; do
            prefix="$(next_prefix "cperf-$op-$size")"
            # shellcheck disable=SC2046
            if result="$(python3 "$bench/tools/cryptoperf.py" --lcore "$lcore" -- \
                    dpdk-test-crypto-perf -l "$main_lcore,$lcore" $(eal_memory) --no-pci --file-prefix "$prefix" \
                    --vdev crypto_aesni_gcm0 -- --ptest throughput --devtype crypto_aesni_gcm --optype aead \
                    --aead-algo aes-gcm --aead-op "$op" --aead-key-sz 16 --aead-iv-sz 12 --digest-sz 16 \
                    --buffer-sz "$size" --total-ops 10000000 --silent 2>&1)"; then
                ceiling+="$(python3 - "$op" "$size" "$result" <<'PY'
import re, sys
op, size, result = sys.argv[1:]
f = dict(re.findall(r"(\w+)=([0-9.]+|-)", result))
per_core = f"{float(f['cpu_mops']):6.2f}" if f["cpu_mops"] != "-" else "     -"
print(f"  {op:<7} {int(size):5d} B buffers: {float(f['mops']):6.2f} Mops  {float(f['gbps']):6.2f} Gbit/s"
      f"   per full core {per_core} Mops")
PY
)"$'\n'
            else
                ceiling+="  $op $size B: $result"$'\n'
            fi
            forget_prefix "$prefix"
        done
    done
fi

# ---------------------------------------------------------------------------------------------
# 6. The table. Gbit/s counts the clear-side IP packet (46 B for "64 B", 1400 B) in both directions.
fmt_mpps() { python3 -c "print(f'{$1 / 1e6:.2f}')"; }
fmt_gbps() { python3 -c "print(f'{$1 * $2 * 8 / 1e9:.2f}')"; }

echo
echo "Dataplane benchmark: AES-128-GCM, IPv4 tunnel, one SA, lcore $lcore, ${seconds} s per run after ${warmup} s warm-up, best of $rounds round(s)"
echo "harness: net_pcap (infinite_rx) -> engine -> net_null, crypto_aesni_gcm, $(eal_memory); ipsec-secgw $(pkg-config --modversion libdpdk) library mode (-l -w 0)"
printf '%-10s %-7s | %11s %9s | %11s %9s | %7s\n' direction size "secgw Mpps" "Gbit/s" "Isthmus Mpps" "Gbit/s" ratio
printf '%s\n' "-----------------------------------------------------------------------------"
notes=()
for direction in "${directions[@]}"; do
    for size in "${sizes[@]}"; do
        ipl="$(ip_length "$size")"
        s="${best[secgw-$direction-$size]-}"; [[ "$s" == "-" ]] && s=""
        i="${best[isthmus-$direction-$size]-}"; [[ "$i" == "-" ]] && i=""
        if [[ -n "$s" ]]; then s_mpps="$(fmt_mpps "$s")"; s_gbps="$(fmt_gbps "$s" "$ipl")"; else s_mpps="failed"; s_gbps="-"
            notes+=("ipsec-secgw $direction $size B: ${reason[secgw-$direction-$size]-no result}"); fi
        if [[ -n "$i" ]]; then i_mpps="$(fmt_mpps "$i")"; i_gbps="$(fmt_gbps "$i" "$ipl")"; else i_mpps="-"; i_gbps="-"
            [[ -z "$isthmus_reason" ]] && notes+=("Isthmus $direction $size B: ${reason[isthmus-$direction-$size]-no result}"); fi
        if [[ -n "$s" && -n "$i" ]]; then ratio="$(python3 -c "print(f'{$i / $s:.2f}x')")"; else ratio="-"; fi
        printf '%-10s %-7s | %11s %9s | %11s %9s | %7s\n' "$direction" "$size B" "$s_mpps" "$s_gbps" "$i_mpps" "$i_gbps" "$ratio"
    done
done
if [[ "$skip_isthmus" -eq 1 ]]; then
    echo "Isthmus: not run (--skip-isthmus)"
elif [[ -n "$isthmus_reason" ]]; then
    echo "Isthmus: not built yet ($isthmus_reason)"
fi
for note in "${notes[@]}"; do echo "note: $note"; done
echo
echo "per full core: packets / CPU-seconds of the engine process (all threads) over the same runs; on a"
echo "shared machine a polling engine gets part of a core, and this removes that share from the comparison"
printf '%-10s %-7s | %11s | %12s | %7s\n' direction size "secgw Mpps" "Isthmus Mpps" ratio
printf '%s\n' "------------------------------------------------------"
for direction in "${directions[@]}"; do
    for size in "${sizes[@]}"; do
        s="${best_cpu[secgw-$direction-$size]--}"
        i="${best_cpu[isthmus-$direction-$size]--}"
        s_mpps="-"; i_mpps="-"; ratio="-"
        [[ "$s" != "-" ]] && s_mpps="$(fmt_mpps "$s")"
        [[ "$i" != "-" ]] && i_mpps="$(fmt_mpps "$i")"
        [[ "$s" != "-" && "$i" != "-" ]] && ratio="$(python3 -c "print(f'{$i / $s:.2f}x')")"
        printf '%-10s %-7s | %11s | %12s | %7s\n' "$direction" "$size B" "$s_mpps" "$i_mpps" "$ratio"
    done
done
if [[ "$skip_ceiling" -eq 0 ]]; then
    echo "ceiling, dpdk-test-crypto-perf crypto_aesni_gcm AES-128-GCM, lcore $lcore:"
    printf '%s' "$ceiling"
fi
