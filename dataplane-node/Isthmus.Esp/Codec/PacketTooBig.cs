using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>
/// The "too big" ICMP message a tunnel sends back toward the clear side for a packet it will not
/// carry: ICMP Destination Unreachable, "fragmentation needed and DF set" (type 3, code 4) with the
/// next-hop MTU (RFC 792, RFC 1191 §4) for IPv4, ICMPv6 Packet Too Big (type 2, RFC 4443 §3.2,
/// RFC 8201) for IPv6. Addressed to the invoking packet's source. No allocation; never throws.
/// </summary>
/// <remarks>
/// <para>IPv4 message: <c>IPv4(TOS 0xC0, ID 0, TTL 64, proto 1) | 3 | 4 | checksum | 0 (16 bits) |
/// next-hop MTU (16 bits) | invoking IP header + first 8 octets of its data</c>.</para>
/// <para>IPv6 message: <c>IPv6(hop limit 64, next header 58) | 2 | 0 | checksum | MTU (32 bits) |
/// as much of the invoking packet as fits in 1280 octets</c> (RFC 4443 §2.4 c).</para>
/// <para>Its source is <c>localAddress</c> (the SA's tunnel source) when that has the invoking
/// packet's family, else the invoking packet's destination (an IPv4 LAN behind an IPv6 tunnel).</para>
/// <para>Nothing is written (0 returned) where RFC 1812 §4.3.2.7 and RFC 4443 §2.4 e forbid an error:
/// for an ICMP error message, a non-initial IPv4 fragment, an unspecified, loopback, multicast or
/// broadcast source, or an IPv4 multicast or broadcast destination.</para>
/// </remarks>
public static class PacketTooBig
{
    /// <summary>The largest message <see cref="Write"/> produces (the IPv6 minimum MTU).</summary>
    public const int MaxLength = 1280;

    /// <summary>
    /// Writes the message about <paramref name="invoking"/> (an IPv4 or IPv6 packet) to
    /// <paramref name="output"/>, which must not overlap it, reporting <paramref name="mtu"/> (the
    /// largest inner packet the tunnel carries). Returns its length, or 0 when no message is due.
    /// </summary>
    public static int Write(ReadOnlySpan<byte> invoking, int mtu, ReadOnlySpan<byte> localAddress, Span<byte> output)
    {
        if (invoking.IsEmpty || mtu <= 0)
        {
            return 0;
        }

        return (invoking[0] >> 4) switch
        {
            4 => WriteIPv4(invoking, mtu, localAddress, output),
            6 => WriteIPv6(invoking, mtu, localAddress, output),
            _ => 0,
        };
    }

    private static int WriteIPv4(ReadOnlySpan<byte> invoking, int mtu, ReadOnlySpan<byte> localAddress, Span<byte> output)
    {
        if (invoking.Length < 20)
        {
            return 0;
        }

        int ihl = (invoking[0] & 0x0F) * 4;
        int total = Math.Min(invoking.Length, BinaryPrimitives.ReadUInt16BigEndian(invoking[2..]));
        if (ihl < 20 || total < ihl || (BinaryPrimitives.ReadUInt16BigEndian(invoking[6..]) & 0x1FFF) != 0)
        {
            return 0;
        }

        ReadOnlySpan<byte> source = invoking.Slice(12, 4);
        ReadOnlySpan<byte> destination = invoking.Slice(16, 4);
        if (!UsableIPv4Source(source) || destination[0] >= 224 || destination.SequenceEqual((ReadOnlySpan<byte>)[255, 255, 255, 255]))
        {
            return 0;
        }

        // RFC 1122 §3.2.2: never an ICMP error about an ICMP error.
        if (invoking[9] == 1 && total > ihl && invoking[ihl] is 3 or 4 or 5 or 11 or 12)
        {
            return 0;
        }

        int quoted = Math.Min(total, ihl + 8);
        int length = 20 + 8 + quoted;
        if (output.Length < length)
        {
            return 0;
        }

        Span<byte> packet = output[..length];
        packet[0] = 0x45;
        packet[1] = 0xC0; // RFC 1812 §4.3.2.5: precedence 6 (internetwork control)
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)length);
        BinaryPrimitives.WriteUInt32BigEndian(packet[4..], 0);
        packet[8] = 64;
        packet[9] = 1;
        packet[10] = 0;
        packet[11] = 0;
        (localAddress.Length == 4 ? localAddress : destination).CopyTo(packet[12..]);
        source.CopyTo(packet[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(packet[10..], IpChecksum.Fold(IpChecksum.Sum(packet[..20])));

        Span<byte> icmp = packet[20..];
        icmp[0] = 3;
        icmp[1] = 4;
        icmp[2] = 0;
        icmp[3] = 0;
        icmp[4] = 0;
        icmp[5] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], (ushort)Math.Min(mtu, ushort.MaxValue));
        invoking[..quoted].CopyTo(icmp[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], IpChecksum.Fold(IpChecksum.Sum(icmp)));
        return length;
    }

    private static int WriteIPv6(ReadOnlySpan<byte> invoking, int mtu, ReadOnlySpan<byte> localAddress, Span<byte> output)
    {
        if (invoking.Length < 40)
        {
            return 0;
        }

        ReadOnlySpan<byte> source = invoking.Slice(8, 16);
        ReadOnlySpan<byte> destination = invoking.Slice(24, 16);
        bool unspecified = BinaryPrimitives.ReadUInt128BigEndian(source) == UInt128.Zero;
        bool loopback = BinaryPrimitives.ReadUInt128BigEndian(source) == UInt128.One;
        if (unspecified || loopback || source[0] == 0xFF)
        {
            return 0;
        }

        // RFC 4443 §2.4 e.1: never about an ICMPv6 error message (types 0-127).
        int total = Math.Min(invoking.Length, 40 + BinaryPrimitives.ReadUInt16BigEndian(invoking[4..]));
        if (invoking[6] == 58 && total > 40 && invoking[40] < 128)
        {
            return 0;
        }

        int quoted = Math.Min(total, MaxLength - 48);
        int length = 48 + quoted;
        if (output.Length < length)
        {
            return 0;
        }

        Span<byte> packet = output[..length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, 0x60000000);
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(length - 40));
        packet[6] = 58;
        packet[7] = 64;
        (localAddress.Length == 16 ? localAddress : destination).CopyTo(packet[8..]);
        source.CopyTo(packet[24..]);

        Span<byte> icmp = packet[40..];
        icmp[0] = 2;
        icmp[1] = 0;
        icmp[2] = 0;
        icmp[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], (uint)mtu);
        invoking[..quoted].CopyTo(icmp[8..]);

        // RFC 8200 §8.1 pseudo-header: source, destination, upper-layer length, next header 58.
        uint sum = IpChecksum.Sum(packet.Slice(8, 32));
        sum += (uint)icmp.Length;
        sum += 58;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], IpChecksum.Fold(IpChecksum.Sum(icmp, sum)));
        return length;
    }

    private static bool UsableIPv4Source(ReadOnlySpan<byte> source) =>
        source[0] is not (0 or 127) && source[0] < 224;
}
