#!/usr/bin/env python3
"""Checks that two Ethernet pcap files carry the same IP packets, in order (the Ethernet headers
may differ). Used to prove that the inbound benchmark's ESP capture decrypts back to the clear
packets it was made from. Exit status 0 when equal, 1 otherwise, with the first difference."""
import struct
import sys

ETH_HEADER = 14


def ip_packets(path):
    with open(path, "rb") as source:
        data = source.read()
    # Classic little-endian pcap, microsecond (0xA1B2C3D4) or nanosecond (0xA1B23C4D) timestamps.
    if len(data) < 24 or struct.unpack("<I", data[:4])[0] not in (0xA1B2C3D4, 0xA1B23C4D):
        raise ValueError(f"{path}: not a little-endian pcap file")
    packets, offset = [], 24
    while offset < len(data):
        if offset + 16 > len(data):
            raise ValueError(f"{path}: truncated record header at byte {offset}")
        captured = struct.unpack("<IIII", data[offset:offset + 16])[2]
        frame = data[offset + 16:offset + 16 + captured]
        if len(frame) != captured or captured < ETH_HEADER:
            raise ValueError(f"{path}: truncated frame at byte {offset}")
        packets.append(frame[ETH_HEADER:])
        offset += 16 + captured
    return packets


def main(argv):
    if len(argv) != 2:
        print("usage: pcapcompare.py EXPECTED.pcap ACTUAL.pcap", file=sys.stderr)
        return 2
    try:
        expected, actual = ip_packets(argv[0]), ip_packets(argv[1])
    except (OSError, ValueError) as error:
        print(f"pcapcompare: {error}", file=sys.stderr)
        return 1
    if len(expected) != len(actual):
        print(f"pcapcompare: {len(expected)} packets expected, {len(actual)} found", file=sys.stderr)
        return 1
    for index, (want, got) in enumerate(zip(expected, actual)):
        if want != got:
            print(f"pcapcompare: packet {index} differs:\n  want {want.hex()}\n  got  {got.hex()}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
