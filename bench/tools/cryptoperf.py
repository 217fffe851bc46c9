#!/usr/bin/env python3
"""Runs one dpdk-test-crypto-perf throughput test (one buffer size) and reports its rate, also per
CPU-second of the worker lcore's thread, so that the ceiling can be compared with the engines'
per-core figures on a shared machine.

  cryptoperf.py --lcore L -- dpdk-test-crypto-perf <EAL and test arguments, one --buffer-sz>

Prints "RESULT mops=<float> gbps=<float> cpu_mops=<float or ->" (total operations divided by the
CPU time of thread rte-worker-L, which also counts its brief set-up); exit status 1 with a reason
when the test fails.
"""
import os
import re
import subprocess
import sys
import time


def worker_cpu(pid, name):
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as comm:
                if comm.read().strip() != name:
                    continue
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return None
    return None


def main(argv):
    if len(argv) < 4 or argv[0] != "--lcore" or argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    lcore, command = argv[1], argv[3:]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    cpu = None
    output = []
    # Sample the worker thread's CPU time until the process exits (reading stdout in a thread would
    # be tidier, but the test writes only a few lines, well below a pipe's capacity, before exiting).
    while process.poll() is None:
        sample = worker_cpu(process.pid, f"rte-worker-{lcore}")
        if sample is not None:
            cpu = sample
        time.sleep(0.02)
    output = process.stdout.read().splitlines()
    # Result row: lcore, buffer size, burst, enqueued, dequeued, failed enq, failed deq, MOps, Gbps, cycles/buffer.
    rows = [line.split() for line in output if re.match(rf"^\s*{lcore}\s+\d+\s+\d+\s+\d+\s+\d+", line)]
    if process.returncode != 0 or len(rows) != 1 or len(rows[0]) != 10:
        last = next((line for line in reversed(output) if line.strip()), "no output")
        print(f"cryptoperf: test failed (status {process.returncode}): {last}", file=sys.stderr)
        return 1
    row = rows[0]
    dequeued, mops, gbps = int(row[4]), float(row[7]), float(row[8])
    cpu_mops = f"{dequeued / cpu / 1e6:.4f}" if cpu else "-"
    print(f"RESULT mops={mops:.4f} gbps={gbps:.4f} cpu_mops={cpu_mops}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
