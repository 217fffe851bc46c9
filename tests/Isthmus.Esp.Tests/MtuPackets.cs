using System.Buffers.Binary;
using System.Net;

namespace Isthmus.Esp.Tests;

/// <summary>TCP segments, fragment splitting and reassembly, and checksum checks for the MTU tests.</summary>
internal static class MtuPackets
{
    /// <summary>
    /// An IPv4 TCP segment 10.1.0.5:40000 → 10.2.0.7:443 with options NOP NOP SACK-permitted, MSS, NOP
    /// window-scale 7 (MSS second, so the option walk is exercised), valid checksums.
    /// </summary>
    public static byte[] Tcp4(ushort mss, byte flags = 0x02, int payload = 0, bool dontFragment = true)
    {
        byte[] packet = new byte[20 + 32 + payload];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 0x0101);
        packet[6] = dontFragment ? (byte)0x40 : (byte)0;
        packet[8] = 64;
        packet[9] = 6;
        IPAddress.Parse("10.1.0.5").TryWriteBytes(packet.AsSpan(12), out _);
        IPAddress.Parse("10.2.0.7").TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20)));
        WriteTcp(packet.AsSpan(20), mss, flags);
        for (int i = 52; i < packet.Length; i++)
        {
            packet[i] = (byte)i;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(36), TcpChecksum(packet));
        return packet;
    }

    /// <summary>The same segment over IPv6 fd00:1::5 → fd00:2::7.</summary>
    public static byte[] Tcp6(ushort mss, byte flags = 0x02, int payload = 0)
    {
        byte[] packet = new byte[40 + 32 + payload];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(32 + payload));
        packet[6] = 6;
        packet[7] = 64;
        IPAddress.Parse("fd00:1::5").TryWriteBytes(packet.AsSpan(8), out _);
        IPAddress.Parse("fd00:2::7").TryWriteBytes(packet.AsSpan(24), out _);
        WriteTcp(packet.AsSpan(40), mss, flags);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(56), TcpChecksum(packet));
        return packet;
    }

    /// <summary>The MSS option's value of a segment built by <see cref="Tcp4"/> or <see cref="Tcp6"/>.</summary>
    public static ushort Mss(ReadOnlySpan<byte> packet) =>
        BinaryPrimitives.ReadUInt16BigEndian(packet[((packet[0] >> 4) == 4 ? 20 + 26 : 40 + 26)..]);

    /// <summary>Recomputes the TCP checksum from scratch (pseudo-header included) and compares it with the one in the segment.</summary>
    public static bool TcpChecksumIsValid(ReadOnlySpan<byte> packet)
    {
        int offset = (packet[0] >> 4) == 4 ? 20 : 40;
        byte[] copy = packet.ToArray();
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(offset + 16));
        return stored == TcpChecksum(copy);
    }

    /// <summary>Splits back-to-back outer IPv4 packets (fragments) by their total length.</summary>
    public static List<byte[]> Split(ReadOnlySpan<byte> output)
    {
        var packets = new List<byte[]>();
        while (!output.IsEmpty)
        {
            int length = BinaryPrimitives.ReadUInt16BigEndian(output[2..]);
            packets.Add(output[..length].ToArray());
            output = output[length..];
        }

        return packets;
    }

    /// <summary>
    /// Reassembles IPv4 fragments (RFC 791 §3.2) after checking each one: a valid header checksum, DF
    /// clear, one identification, MF on all but the last, contiguous 8-octet-aligned offsets. Returns the
    /// original packet with flags and offset zeroed and the checksum recomputed.
    /// </summary>
    public static byte[] Reassemble(IReadOnlyList<byte[]> fragments)
    {
        var payload = new List<byte>();
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(fragments[0].AsSpan(4));
        for (int i = 0; i < fragments.Count; i++)
        {
            byte[] f = fragments[i];
            Assert.True(TestPackets.Ipv4HeaderChecksumIsValid(f), $"fragment {i} header checksum");
            ushort flags = BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(6));
            Assert.Equal(0, flags & 0x4000);
            Assert.Equal(i < fragments.Count - 1, (flags & 0x2000) != 0);
            Assert.Equal(payload.Count, (flags & 0x1FFF) * 8);
            Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(4)));
            if (i < fragments.Count - 1)
            {
                Assert.Equal(0, (f.Length - 20) % 8);
            }

            payload.AddRange(f.AsSpan(20).ToArray());
        }

        byte[] packet = [.. fragments[0].AsSpan(0, 20), .. payload];
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 0);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), 0);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum(packet.AsSpan(0, 20)));
        return packet;
    }

    /// <summary>RFC 1071 over <paramref name="data"/> with an optional pre-summed pseudo-header.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data, uint sum = 0)
    {
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>The ICMPv6 / TCP-over-IPv6 pseudo-header sum (RFC 8200 §8.1) of an IPv6 packet.</summary>
    public static uint PseudoHeader6(ReadOnlySpan<byte> packet, byte nextHeader) =>
        Sum(packet.Slice(8, 32)) + (uint)(packet.Length - 40) + nextHeader;

    private static void WriteTcp(Span<byte> tcp, ushort mss, byte flags)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 443);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 0x11223344);
        tcp[12] = 8 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 64240);
        byte[] options = [1, 1, 4, 2, 2, 4, (byte)(mss >> 8), (byte)mss, 1, 3, 3, 7];
        options.CopyTo(tcp[20..]);
    }

    private static ushort TcpChecksum(byte[] packet)
    {
        bool v4 = (packet[0] >> 4) == 4;
        int offset = v4 ? 20 : 40;
        byte[] segment = packet[offset..];
        segment[16] = 0;
        segment[17] = 0;
        uint pseudo = v4
            ? Sum(packet.AsSpan(12, 8)) + 6u + (uint)segment.Length
            : Sum(packet.AsSpan(8, 32)) + 6u + (uint)segment.Length;
        return Checksum(segment, pseudo);
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | data[i + 1];
        }

        return sum;
    }
}
