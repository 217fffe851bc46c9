using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>
/// The selector fields of a clear IP packet (RFC 4301 §4.4.1.1): addresses as integers, protocol
/// and ports. Ports are -1 when the packet carries none (non-first fragments, protocols without
/// ports), which only a selector with the full port range matches. For ICMP and ICMPv6 both
/// ports hold Type &lt;&lt; 8 | Code (RFC 7296 §3.13.1).
/// </summary>
internal readonly struct InnerFlow
{
    public InnerFlow(bool isIPv6, UInt128 source, UInt128 destination, byte protocol, int sourcePort, int destinationPort, int length)
    {
        IsIPv6 = isIPv6;
        Source = source;
        Destination = destination;
        Protocol = protocol;
        SourcePort = sourcePort;
        DestinationPort = destinationPort;
        Length = length;
    }

    public bool IsIPv6 { get; }

    public UInt128 Source { get; }

    public UInt128 Destination { get; }

    public byte Protocol { get; }

    public int SourcePort { get; }

    public int DestinationPort { get; }

    /// <summary>Length of the IP packet by its own header.</summary>
    public int Length { get; }

    /// <summary>
    /// Reads the flow of the IP packet at the start of <paramref name="packet"/>. Returns
    /// <see cref="DropReason.None"/>, <see cref="DropReason.UnsupportedProtocol"/> (not IPv4/IPv6)
    /// or <see cref="DropReason.Malformed"/> (a length that does not fit).
    /// </summary>
    public static DropReason TryRead(ReadOnlySpan<byte> packet, out InnerFlow flow)
    {
        flow = default;
        if (packet.Length < 1)
        {
            return DropReason.Runt;
        }

        int version = packet[0] >> 4;
        if (version == 4)
        {
            if (packet.Length < 20)
            {
                return DropReason.Malformed;
            }

            int ihl = (packet[0] & 0x0F) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            if (ihl < 20 || total < ihl || total > packet.Length)
            {
                return DropReason.Malformed;
            }

            byte protocol = packet[9];
            UInt128 source = BinaryPrimitives.ReadUInt32BigEndian(packet[12..]);
            UInt128 destination = BinaryPrimitives.ReadUInt32BigEndian(packet[16..]);
            ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(packet[6..]);
            bool firstFragment = (fragment & 0x1FFF) == 0;
            ReadPorts(protocol, firstFragment ? packet[ihl..total] : [], out int sport, out int dport);
            flow = new InnerFlow(false, source, destination, protocol, sport, dport, total);
            return DropReason.None;
        }

        if (version == 6)
        {
            if (packet.Length < 40)
            {
                return DropReason.Malformed;
            }

            int total = 40 + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            if (total > packet.Length)
            {
                return DropReason.Malformed;
            }

            UInt128 source = BinaryPrimitives.ReadUInt128BigEndian(packet[8..]);
            UInt128 destination = BinaryPrimitives.ReadUInt128BigEndian(packet[24..]);
            byte next = packet[6];
            int offset = 40;
            bool firstFragment = true;
            while (next is 0 or 43 or 60 or 44)
            {
                if (offset + 8 > total)
                {
                    return DropReason.Malformed;
                }

                if (next == 44)
                {
                    firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) & 0xFFF8) == 0;
                    next = packet[offset];
                    offset += 8;
                    continue;
                }

                int extLength = (packet[offset + 1] + 1) * 8;
                next = packet[offset];
                offset += extLength;
            }

            if (offset > total)
            {
                return DropReason.Malformed;
            }

            ReadPorts(next, firstFragment ? packet[offset..total] : [], out int sport, out int dport);
            flow = new InnerFlow(true, source, destination, next, sport, dport, total);
            return DropReason.None;
        }

        return DropReason.UnsupportedProtocol;
    }

    private static void ReadPorts(byte protocol, ReadOnlySpan<byte> transport, out int sourcePort, out int destinationPort)
    {
        sourcePort = -1;
        destinationPort = -1;
        switch (protocol)
        {
            case 6 or 17 or 132 or 136 when transport.Length >= 4:
                sourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
                destinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
                break;
            case 1 or 58 when transport.Length >= 2:
                sourcePort = destinationPort = (transport[0] << 8) | transport[1];
                break;
        }
    }
}
