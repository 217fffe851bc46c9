#!/usr/bin/env python3
"""Reads a DPDK process's port counters through its telemetry socket (EAL telemetry v2).

  ethstats.py rate  --file-prefix P --port 1 --seconds N [--warmup S] [--startup-timeout T] [--pid PID]
      waits for the process's telemetry socket and for traffic on the port, lets it run --warmup
      seconds, then prints the transmitted-packet delta over --seconds as
      "RESULT pps=<float> packets=<int> seconds=<float>", and with --pid also "cpu=<float>": the
      CPU seconds the process (all its threads) used meanwhile. A polling engine on a shared
      machine gets only part of a core; packets / cpu is its rate per full core.
  ethstats.py until --file-prefix P --port 1 --packets N [--timeout T] [--pid PID]
      returns once the port has transmitted N packets (exit status 1 on timeout).

The socket is /var/run/dpdk/<file-prefix>/dpdk_telemetry.v2 (SOCK_SEQPACKET); a command such as
"/ethdev/stats,1" is answered with one JSON object.
"""
import argparse
import json
import os
import socket
import sys
import time


class TelemetryError(Exception):
    pass


class Telemetry:
    def __init__(self, file_prefix):
        runtime = os.environ.get("RUNTIME_DIRECTORY", "/var/run") if os.geteuid() == 0 else \
            os.environ.get("XDG_RUNTIME_DIR", "/tmp")
        self.path = os.path.join(runtime, "dpdk", file_prefix, "dpdk_telemetry.v2")
        self.sock = None
        self.max_output = 16384

    def connect(self, timeout, pid=None):
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            check_alive(pid)
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                sock.connect(self.path)
                hello = json.loads(sock.recv(self.max_output).decode())
                self.max_output = int(hello.get("max_output_len", self.max_output))
                self.sock = sock
                return
            except (OSError, ValueError) as error:
                last_error = error
                time.sleep(0.1)
        raise TelemetryError(f"no telemetry on {self.path} after {timeout:.0f} s ({last_error})")

    def opackets(self, port):
        try:
            self.sock.send(f"/ethdev/stats,{port}".encode())
            reply = json.loads(self.sock.recv(self.max_output).decode())
        except (OSError, ValueError) as error:
            raise TelemetryError(f"telemetry query failed: {error}") from error
        stats = reply.get("/ethdev/stats")
        if not isinstance(stats, dict) or "opackets" not in stats:
            raise TelemetryError(f"port {port} has no stats: {reply}")
        return int(stats["opackets"])


def check_alive(pid):
    """Raises when the engine process (if given) has exited: no point waiting for its traffic."""
    if pid is None:
        return
    try:
        with open(f"/proc/{pid}/stat") as stat:
            state = stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "X"
    if state in ("Z", "X"):
        raise TelemetryError(f"engine process {pid} exited")


def cpu_seconds(pid):
    """User + system CPU time of a process, all threads (/proc/PID/stat fields 14 and 15)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError as error:
        raise TelemetryError(f"cannot read CPU time of process {pid}: {error}") from error
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_traffic(telemetry, port, timeout, pid=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        check_alive(pid)
        if telemetry.opackets(port) > 0:
            return
        time.sleep(0.1)
    raise TelemetryError(f"port {port} transmitted nothing within {timeout:.0f} s")


def rate(args):
    telemetry = Telemetry(args.file_prefix)
    telemetry.connect(args.startup_timeout, args.pid)
    wait_for_traffic(telemetry, args.port, args.startup_timeout, args.pid)
    time.sleep(args.warmup)
    start_cpu = cpu_seconds(args.pid) if args.pid else 0.0
    start_time, start = time.monotonic(), telemetry.opackets(args.port)
    time.sleep(args.seconds)
    end_time, end = time.monotonic(), telemetry.opackets(args.port)
    end_cpu = cpu_seconds(args.pid) if args.pid else 0.0
    seconds = end_time - start_time
    packets = end - start
    cpu = f" cpu={end_cpu - start_cpu:.2f}" if args.pid else ""
    print(f"RESULT pps={packets / seconds:.1f} packets={packets} seconds={seconds:.3f}{cpu}")


def until(args):
    telemetry = Telemetry(args.file_prefix)
    telemetry.connect(args.timeout, args.pid)
    deadline = time.monotonic() + args.timeout
    sent = 0
    while time.monotonic() < deadline:
        check_alive(args.pid)
        sent = telemetry.opackets(args.port)
        if sent >= args.packets:
            return
        time.sleep(0.05)
    raise TelemetryError(f"port {args.port} transmitted {sent} of {args.packets} packets in {args.timeout:.0f} s")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    r = commands.add_parser("rate")
    r.add_argument("--file-prefix", required=True)
    r.add_argument("--port", type=int, default=1)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--warmup", type=float, default=2.0)
    r.add_argument("--startup-timeout", type=float, default=60.0)
    r.add_argument("--pid", type=int, help="engine process, to report the CPU time it used")
    u = commands.add_parser("until")
    u.add_argument("--file-prefix", required=True)
    u.add_argument("--port", type=int, default=1)
    u.add_argument("--packets", type=int, required=True)
    u.add_argument("--timeout", type=float, default=60.0)
    u.add_argument("--pid", type=int, help="the DPDK process: stop waiting if it exits")
    args = parser.parse_args(argv)
    try:
        (rate if args.command == "rate" else until)(args)
    except TelemetryError as error:
        print(f"ethstats: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
