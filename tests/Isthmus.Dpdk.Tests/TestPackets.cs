using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Dpdk.Engine;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

/// <summary>SAs, policies and packets shared by the engine tests.</summary>
internal static class TestPackets
{
    public static readonly byte[] ClearNextHop = [0x02, 0, 0, 0, 0, 0x0c];
    public static readonly byte[] CipherNextHop = [0x02, 0, 0, 0, 0, 0x0e];
    public static readonly IPAddress Local = IPAddress.Parse("192.0.2.1");
    public static readonly IPAddress Peer = IPAddress.Parse("198.51.100.1");
    public static readonly IpAddressRange LocalLan = IpAddressRange.FromCidr("10.1.0.0/16");
    public static readonly IpAddressRange RemoteLan = IpAddressRange.FromCidr("10.2.0.0/16");

    /// <summary>AES-128-GCM key material: 16 key octets then the 4-octet salt (RFC 4106 §8.1).</summary>
    public static byte[] GcmKey(byte seed)
    {
        byte[] key = new byte[20];
        for (int i = 0; i < key.Length; i++)
        {
            key[i] = (byte)(seed + (i * 7));
        }

        return key;
    }

    public static EspSa Outbound(uint spi, UdpEncapsulation? encapsulation = null, EspLifetime? lifetime = null, int mtu = 0, PathMtuPolicy pathMtu = PathMtuPolicy.FollowDontFragment) => new()
    {
        Mtu = mtu,
        PathMtu = pathMtu,
        Spi = spi,
        Direction = EspDirection.Outbound,
        TunnelSource = Local,
        TunnelDestination = Peer,
        Encapsulation = encapsulation,
        Encryption = EspEncryptionAlgorithm.AesGcm16_128,
        EncryptionKey = GcmKey(0x11),
        LocalSelectors = [EspTrafficSelector.For(LocalLan)],
        RemoteSelectors = [EspTrafficSelector.For(RemoteLan)],
        Lifetime = lifetime ?? EspLifetime.Unlimited,
    };

    /// <summary>The peer's view of <see cref="Outbound"/>, for the managed codec to decrypt DPDK's output.</summary>
    public static EspSa OutboundAsSeenByPeer(uint spi, UdpEncapsulation? encapsulation = null) => new()
    {
        Spi = spi,
        Direction = EspDirection.Inbound,
        TunnelSource = Local,
        TunnelDestination = Peer,
        Encapsulation = encapsulation,
        Encryption = EspEncryptionAlgorithm.AesGcm16_128,
        EncryptionKey = GcmKey(0x11),
        LocalSelectors = [EspTrafficSelector.For(RemoteLan)],
        RemoteSelectors = [EspTrafficSelector.For(LocalLan)],
        ReplayWindow = 64,
    };

    public static EspSa Inbound(uint spi, int replayWindow = 64, UdpEncapsulation? encapsulation = null, bool esn = false, int mtu = 0) => new()
    {
        Mtu = mtu,
        Spi = spi,
        Direction = EspDirection.Inbound,
        TunnelSource = Peer,
        TunnelDestination = Local,
        Encapsulation = encapsulation,
        Encryption = EspEncryptionAlgorithm.AesGcm16_128,
        EncryptionKey = GcmKey(0x33),
        ReplayWindow = replayWindow,
        ExtendedSequenceNumbers = esn,
        LocalSelectors = [EspTrafficSelector.For(LocalLan)],
        RemoteSelectors = [EspTrafficSelector.For(RemoteLan)],
    };

    /// <summary>The peer's outbound SA matching <see cref="Inbound"/>: the managed codec encrypts with it.</summary>
    public static EspSa PeerOutbound(uint spi, UdpEncapsulation? encapsulation = null, bool esn = false, ulong? initialSequence = null, int mtu = 0) => new()
    {
        Mtu = mtu,
        Spi = spi,
        Direction = EspDirection.Outbound,
        TunnelSource = Peer,
        TunnelDestination = Local,
        Encapsulation = encapsulation,
        Encryption = EspEncryptionAlgorithm.AesGcm16_128,
        EncryptionKey = GcmKey(0x33),
        ExtendedSequenceNumbers = esn,
        InitialSequenceNumber = initialSequence,
        LocalSelectors = [EspTrafficSelector.For(RemoteLan)],
        RemoteSelectors = [EspTrafficSelector.For(LocalLan)],
    };

    public static EspPolicy ProtectOut(uint id, uint spi) =>
        new(id, PolicyDirection.Out, EspPolicySelector.Between(LocalLan, RemoteLan), PolicyAction.Protect, spi, 100);

    public static async Task<DpdkEspBackend> Backend(DpdkFixture fixture, int burst = 32, int icmpPerSecond = 100, int icmpBurst = 20)
    {
        var backend = new DpdkEspBackend(new DpdkEngineOptions
        {
            ClearPort = fixture.Clear,
            CipherPort = fixture.Cipher,
            CryptoDevice = fixture.Crypto,
            SessionPool = fixture.SessionPool,
            CryptoOpPool = fixture.OpPool,
            ClearNextHopMac = ClearNextHop,
            CipherNextHopMac = CipherNextHop,
            BurstSize = burst,
            IcmpErrorsPerSecond = icmpPerSecond,
            IcmpErrorBurst = icmpBurst,
        });
        fixture.Drain(fixture.Clear);
        fixture.Drain(fixture.Cipher);
        await Task.CompletedTask;
        return backend;
    }

    /// <summary>An IPv4/UDP packet of <paramref name="length"/> octets from 10.1.x to 10.2.x (inner, no Ethernet), DF set.</summary>
    public static byte[] InnerIPv4(int length, string source = "10.1.0.5", string destination = "10.2.0.9", byte fill = 0xA5, ushort sourcePort = 1000, ushort destinationPort = 2000)
    {
        byte[] p = new byte[length];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), (ushort)length);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(4), 0x1234);
        p[6] = 0x40;
        p[8] = 64;
        p[9] = 17;
        IPAddress.Parse(source).TryWriteBytes(p.AsSpan(12), out _);
        IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Checksum(p.AsSpan(0, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(24), (ushort)(length - 20));
        for (int i = 28; i < length; i++)
        {
            p[i] = (byte)(fill + i);
        }

        return p;
    }

    /// <summary>The same packet with DF cleared (header checksum rewritten).</summary>
    public static byte[] WithoutDf(byte[] ip)
    {
        byte[] p = ip.ToArray();
        p[6] &= 0xBF;
        p[10] = 0;
        p[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Checksum(p.AsSpan(0, 20)));
        return p;
    }

    /// <summary>
    /// A TCP SYN (or SYN-ACK with <paramref name="flags"/> 0x12) 10.1.0.5:40000 → 10.2.0.9:443, DF set,
    /// options NOP NOP SACK-permitted MSS NOP window-scale, valid checksums.
    /// </summary>
    public static byte[] TcpSyn(ushort mss, byte flags = 0x02, string source = "10.1.0.5", string destination = "10.2.0.9")
    {
        byte[] p = new byte[52];
        p[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(2), 52);
        p[6] = 0x40;
        p[8] = 64;
        p[9] = 6;
        IPAddress.Parse(source).TryWriteBytes(p.AsSpan(12), out _);
        IPAddress.Parse(destination).TryWriteBytes(p.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(10), Checksum(p.AsSpan(0, 20)));
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(20), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(22), 443);
        p[32] = 8 << 4;
        p[33] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(34), 64240);
        byte[] options = [1, 1, 4, 2, 2, 4, (byte)(mss >> 8), (byte)mss, 1, 3, 3, 7];
        options.CopyTo(p, 40);
        BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(36), TcpChecksum(p));
        return p;
    }

    /// <summary>The TCP checksum (pseudo-header included) an IPv4 segment should carry.</summary>
    public static ushort TcpChecksum(byte[] ip)
    {
        byte[] pseudo = new byte[12 + ip.Length - 20];
        ip.AsSpan(12, 8).CopyTo(pseudo);
        pseudo[9] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)(ip.Length - 20));
        ip.AsSpan(20).CopyTo(pseudo.AsSpan(12));
        pseudo[12 + 16] = 0;
        pseudo[12 + 17] = 0;
        return Checksum(pseudo);
    }

    /// <summary>Splits back-to-back outer IPv4 fragments from the managed codec by their total length.</summary>
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

    /// <summary>An Ethernet frame around an IP packet.</summary>
    public static byte[] Frame(byte[] ip, byte[]? destination = null)
    {
        byte[] frame = new byte[14 + ip.Length];
        (destination ?? [0x02, 0, 0, 0, 0, 0x01]).CopyTo(frame, 0);
        frame[6] = 0x02;
        frame[11] = 0x02;
        frame[12] = (byte)((ip[0] >> 4) == 6 ? 0x86 : 0x08);
        frame[13] = (byte)((ip[0] >> 4) == 6 ? 0xDD : 0x00);
        ip.CopyTo(frame, 14);
        return frame;
    }

    public static byte[] Encapsulate(EspOutboundCodec codec, byte[] inner)
    {
        byte[] output = new byte[inner.Length + codec.MaxOverhead];
        Assert.Equal(DropReason.None, codec.Encapsulate(inner, output, out int written));
        return output[..written];
    }

    /// <summary>
    /// A hand-built AES-128-GCM ESP packet over IPv4 with any plaintext (RFC 4106: nonce = salt || IV,
    /// AAD = SPI || sequence), for trailers the managed codec would never produce.
    /// </summary>
    public static byte[] RawGcmEsp(byte[] keyMaterial, uint spi, uint sequence, byte[] plaintext)
    {
        byte[] esp = new byte[8 + 8 + plaintext.Length + 16];
        BinaryPrimitives.WriteUInt32BigEndian(esp, spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt64BigEndian(esp.AsSpan(8), sequence);
        byte[] nonce = new byte[12];
        keyMaterial.AsSpan(16, 4).CopyTo(nonce);
        esp.AsSpan(8, 8).CopyTo(nonce.AsSpan(4));
        using var gcm = new AesGcm(keyMaterial.AsSpan(0, 16), 16);
        gcm.Encrypt(nonce, plaintext, esp.AsSpan(16, plaintext.Length), esp.AsSpan(16 + plaintext.Length, 16), esp.AsSpan(0, 8));
        byte[] ip = new byte[20 + esp.Length];
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = 50;
        Peer.TryWriteBytes(ip.AsSpan(12), out _);
        Local.TryWriteBytes(ip.AsSpan(16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(10), Checksum(ip.AsSpan(0, 20)));
        esp.CopyTo(ip, 20);
        return ip;
    }

    public static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (int i = 0; i + 1 < header.Length; i += 2)
        {
            sum += (uint)((header[i] << 8) | header[i + 1]);
        }

        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }
}
