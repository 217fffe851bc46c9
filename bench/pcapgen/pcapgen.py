#!/usr/bin/env python3
"""Writes the clear-side input of the dataplane benchmark as a pcap file (no third-party packages).

Ethernet / IPv4 / UDP packets between the two protected subnets of bench/secgw/sa.env:
  --direction out : LOCAL_HOST (192.168.10.x) -> REMOTE_HOST (192.168.20.1), the traffic an
                    outbound SA encrypts;
  --direction in  : REMOTE_HOST -> LOCAL_HOST, the clear traffic the peer would encrypt; the
                    benchmark turns it into the inbound ESP capture with ipsec-secgw's own outbound.
Sizes follow the benchmark's definitions:
  --size 64   : a 60-byte Ethernet frame (64 bytes on the wire with the FCS), a 46-byte IP packet;
  --size 1400 : a 1400-byte IP packet (1414-byte frame).
Packets differ in UDP source port (--flows) so the capture is not a single repeated flow.
"""
import argparse
import struct
import sys

ETH_HEADER = 14
IPV4_HEADER = 20
UDP_HEADER = 8
MIN_FRAME = 60

SRC_MAC = bytes.fromhex("020000000001")
DST_MAC = bytes.fromhex("020000000002")


def ipv4_address(text):
    parts = text.split(".")
    if len(parts) != 4 or not all(p.isdigit() and 0 <= int(p) <= 255 for p in parts):
        raise argparse.ArgumentTypeError(f"not an IPv4 address: {text}")
    return bytes(int(p) for p in parts)


def ipv4_checksum(header):
    total = sum(struct.unpack("!10H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def ip_length_for(size):
    """The IP packet length of a benchmark size: 64 means a 60-byte frame, anything else the IP length."""
    if size == 64:
        return MIN_FRAME - ETH_HEADER
    return size


def udp_packet(src, dst, sport, dport, ip_length, ident):
    udp_length = ip_length - IPV4_HEADER
    payload = bytes((i & 0xFF) for i in range(udp_length - UDP_HEADER))
    # UDP checksum 0: allowed for IPv4 (RFC 768), and neither engine looks at it.
    udp = struct.pack("!HHHH", sport, dport, udp_length, 0) + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_length, ident & 0xFFFF, 0x4000, 64, 17, 0, src, dst)
    header = header[:10] + struct.pack("!H", ipv4_checksum(header)) + header[12:]
    return DST_MAC + SRC_MAC + struct.pack("!H", 0x0800) + header + udp


def write_pcap(path, frames):
    with open(path, "wb") as out:
        # Classic pcap, microsecond timestamps, LINKTYPE_ETHERNET.
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for index, frame in enumerate(frames):
            out.write(struct.pack("<IIII", index // 1_000_000, index % 1_000_000, len(frame), len(frame)))
            out.write(frame)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--direction", choices=("out", "in"), required=True)
    parser.add_argument("--size", type=int, required=True, help="64 (60-byte frame) or an IP packet length")
    parser.add_argument("--count", type=int, default=256, help="packets in the file (default 256)")
    parser.add_argument("--flows", type=int, default=16, help="distinct UDP source ports (default 16)")
    parser.add_argument("--local-host", type=ipv4_address, default=ipv4_address("192.168.10.1"))
    parser.add_argument("--remote-host", type=ipv4_address, default=ipv4_address("192.168.20.1"))
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)

    ip_length = ip_length_for(args.size)
    if not IPV4_HEADER + UDP_HEADER <= ip_length <= 1500:
        parser.error(f"--size {args.size}: IP length {ip_length} is outside 28..1500")
    if args.count < 1 or args.flows < 1:
        parser.error("--count and --flows must be at least 1")

    src, dst = (args.local_host, args.remote_host) if args.direction == "out" else (args.remote_host, args.local_host)
    frames = [udp_packet(src, dst, 10000 + i % args.flows, 5001, ip_length, i) for i in range(args.count)]
    write_pcap(args.output, frames)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
