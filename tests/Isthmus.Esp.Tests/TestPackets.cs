using System.Buffers.Binary;
using System.Net;

namespace Isthmus.Esp.Tests;

/// <summary>Builders for SAs and clear packets used across the tests.</summary>
internal static class TestPackets
{
    public static byte[] Hex(string text) => Convert.FromHexString(string.Concat(text.Where(Uri.IsHexDigit)));

    public static byte[] Key(int length, byte seed)
    {
        var key = new byte[length];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(seed + i);
        }

        return key;
    }

    public static EspSa Sa(
        EspDirection direction,
        EspEncryptionAlgorithm encryption = EspEncryptionAlgorithm.AesGcm16_128,
        EspIntegrityAlgorithm integrity = EspIntegrityAlgorithm.None,
        uint spi = 0x1000,
        bool ipv6 = false,
        UdpEncapsulation? udp = null,
        bool esn = false,
        int replayWindow = 64,
        ulong? initialSequence = null,
        EspLifetime? lifetime = null,
        IReadOnlyList<EspTrafficSelector>? local = null,
        IReadOnlyList<EspTrafficSelector>? remote = null,
        int mtu = 0,
        PathMtuPolicy pathMtu = PathMtuPolicy.FollowDontFragment,
        bool clampMss = true)
    {
        var a = IPAddress.Parse(ipv6 ? "2001:db8::1" : "192.0.2.1");
        var b = IPAddress.Parse(ipv6 ? "2001:db8::2" : "198.51.100.2");
        return new EspSa
        {
            Spi = spi,
            Direction = direction,
            TunnelSource = direction == EspDirection.Outbound ? a : b,
            TunnelDestination = direction == EspDirection.Outbound ? b : a,
            Encapsulation = udp,
            Encryption = encryption,
            EncryptionKey = Key(EspAlgorithms.KeyMaterialLength(encryption), 0x40),
            Integrity = integrity,
            IntegrityKey = Key(EspAlgorithms.IntegrityKeyLength(integrity), 0x90),
            ExtendedSequenceNumbers = esn,
            ReplayWindow = replayWindow,
            InitialSequenceNumber = initialSequence,
            Lifetime = lifetime ?? EspLifetime.Unlimited,
            LocalSelectors = local ?? [],
            RemoteSelectors = remote ?? [],
            Mtu = mtu,
            PathMtu = pathMtu,
            ClampTcpMss = clampMss,
        };
    }

    /// <summary>An IPv4 UDP packet from <paramref name="source"/> to <paramref name="destination"/> with a payload of the given size.</summary>
    public static byte[] Udp4(string source = "10.1.0.5", string destination = "10.2.0.7", int payload = 32, ushort sport = 40000, ushort dport = 53)
    {
        var packet = new byte[20 + 8 + payload];
        packet[0] = 0x45;
        packet[1] = 0x10;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 0x4000);
        packet[8] = 64;
        packet[9] = 17;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(12), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20), sport);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(22), dport);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(8 + payload));
        for (int i = 0; i < payload; i++)
        {
            packet[28 + i] = (byte)i;
        }

        return packet;
    }

    /// <summary>An IPv6 UDP packet.</summary>
    public static byte[] Udp6(string source = "fd00:1::5", string destination = "fd00:2::7", int payload = 32)
    {
        var packet = new byte[40 + 8 + payload];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)(8 + payload));
        packet[6] = 17;
        packet[7] = 64;
        IPAddress.Parse(source).TryWriteBytes(packet.AsSpan(8), out _);
        IPAddress.Parse(destination).TryWriteBytes(packet.AsSpan(24), out _);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(40), 5000);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(42), 6000);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(44), (ushort)(8 + payload));
        return packet;
    }

    public static bool Ipv4HeaderChecksumIsValid(ReadOnlySpan<byte> packet)
    {
        uint sum = 0;
        for (int i = 0; i < 20; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet[i..]);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return sum == 0xFFFF;
    }
}

/// <summary>An IV source that hands out one fixed IV, for published vectors.</summary>
internal sealed class FixedIvSource(byte[] iv) : IEspIvSource
{
    public void NextIv(ulong sequenceNumber, Span<byte> destination) => iv.AsSpan(0, destination.Length).CopyTo(destination);
}
