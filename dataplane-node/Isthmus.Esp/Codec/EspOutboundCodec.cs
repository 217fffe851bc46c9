using System.Buffers.Binary;
using System.Net.Sockets;

namespace Isthmus.Esp;

/// <summary>
/// ESP tunnel-mode encapsulation for one outbound SA (RFC 4303 §3.3, RFC 3948 for UDP): an inner
/// IP packet becomes <c>outer IPv4/IPv6 [UDP] ESP(IV, inner, padding, trailer) ICV</c> written to
/// a caller-provided buffer. No allocation per packet; never throws on packet input. Not
/// thread-safe: one caller at a time per SA.
/// <para>Outer header choices (mirrored by the DPDK path): IPv4 TOS / IPv6 traffic class copied
/// from the inner packet, IPv4 identification = low 16 bits of the sequence number, DF per
/// <see cref="EspSa.DontFragment"/>, TTL/hop limit <see cref="EspSa.OuterHopLimit"/>; UDP checksum
/// 0 over IPv4 (RFC 3948 §2.1), computed over IPv6. Padding is 1, 2, 3... (RFC 4303 §2.4) to the
/// algorithm's block (16 for CBC, 4 otherwise).</para>
/// <para>MTU (<see cref="EspSa.Mtu"/>): TCP SYN MSS options are clamped before encryption
/// (<see cref="TcpMssClamp"/>); a packet whose ESP packet would exceed the MTU is, per
/// <see cref="EspSa.PathMtu"/>, either refused (<see cref="DropReason.MtuExceeded"/>: the caller sends
/// <see cref="WritePacketTooBig"/>) or encrypted and its outer IPv4 packet cut into fragments
/// (RFC 4301 §8, RFC 791): each fragment payload but the last is the MTU less 20 rounded down to 8,
/// every fragment repeats the outer header with DF clear, MF on all but the last, the same
/// identification and its own checksum, exactly as DPDK's rte_ipv4_fragment_packet cuts them.</para>
/// </summary>
public sealed class EspOutboundCodec : IDisposable
{
    private readonly EspCipher cipher;
    private readonly IEspIvSource ivSource;
    private readonly byte[] source;
    private readonly byte[] destination;
    private readonly bool outerIPv6;
    private readonly ushort udpSource;
    private readonly ushort udpDestination;
    private readonly bool udp;
    private readonly bool esn;
    private readonly int mtu;
    private readonly byte hopLimit;
    private readonly DontFragmentMode dontFragment;
    private readonly uint spi;
    private readonly PathMtuPolicy pathMtu;
    private readonly int maxInner;
    private readonly int reportedMtu;
    private readonly ushort mss4;
    private readonly ushort mss6;

    public EspOutboundCodec(EspSa sa, IEspIvSource? ivSource = null)
    {
        ArgumentNullException.ThrowIfNull(sa);
        string? problem = sa.Validate();
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(sa));
        }

        cipher = new EspCipher(sa);
        this.ivSource = ivSource ?? EspIvSources.DefaultFor(sa.Encryption);
        spi = sa.Spi;
        source = sa.TunnelSource.GetAddressBytes();
        destination = sa.TunnelDestination.GetAddressBytes();
        outerIPv6 = sa.TunnelSource.AddressFamily == AddressFamily.InterNetworkV6;
        udp = sa.Encapsulation is not null;
        udpSource = sa.Encapsulation?.SourcePort ?? 0;
        udpDestination = sa.Encapsulation?.DestinationPort ?? 0;
        esn = sa.ExtendedSequenceNumbers;
        mtu = sa.Mtu;
        hopLimit = sa.OuterHopLimit;
        dontFragment = sa.DontFragment;
        SequenceNumber = sa.InitialSequenceNumber ?? 0;
        pathMtu = sa.PathMtu;
        maxInner = EspMtu.MaxInnerLength(sa);
        reportedMtu = maxInner != 0 ? maxInner : EspMtu.MaxInnerLength(ushort.MaxValue + (outerIPv6 ? 40 : 0), outerIPv6, udp, sa.Encryption, sa.Integrity);
        mss4 = sa.ClampTcpMss ? EspMtu.MaxTcpMss(maxInner, innerIPv6: false) : (ushort)0;
        mss6 = sa.ClampTcpMss ? EspMtu.MaxTcpMss(maxInner, innerIPv6: true) : (ushort)0;
    }

    /// <summary>The largest inner packet that fits the SA's MTU unfragmented (0: the SA has no MTU).</summary>
    public int MaxInnerLength => maxInner;

    /// <summary>Sequence number of the last packet sent (0 before the first).</summary>
    public ulong SequenceNumber { get; internal set; }

    /// <summary>Octets the outer headers occupy before the ESP header.</summary>
    public int OuterHeaderLength => (outerIPv6 ? 40 : 20) + (udp ? 8 : 0);

    /// <summary>The largest number of octets encapsulation adds to an inner packet.</summary>
    public int MaxOverhead => OuterHeaderLength + 8 + cipher.IvLength + (cipher.PadBlock - 1) + 2 + cipher.IcvLength;

    /// <summary>Exact size of the encapsulated packet for an inner packet of <paramref name="innerLength"/> octets.</summary>
    public int EncapsulatedLength(int innerLength)
    {
        int padded = Align(innerLength + 2, cipher.PadBlock);
        return OuterHeaderLength + 8 + cipher.IvLength + padded + cipher.IcvLength;
    }

    /// <summary>
    /// Encapsulates <paramref name="innerPacket"/> (an IPv4 or IPv6 packet, trailing bytes beyond its
    /// own length ignored) into <paramref name="output"/> as one packet. Returns <see cref="DropReason.None"/>
    /// and the packet length in <paramref name="written"/>, or the reason it was dropped (written = 0):
    /// a packet larger than the MTU is <see cref="DropReason.MtuExceeded"/>, never fragmented.
    /// </summary>
    public DropReason Encapsulate(ReadOnlySpan<byte> innerPacket, Span<byte> output, out int written) =>
        Encapsulate(innerPacket, output, out written, out _, allowFragments: false);

    /// <summary>
    /// Encapsulates <paramref name="innerPacket"/> into <paramref name="output"/>, fragmenting the outer
    /// IPv4 packet when it exceeds the MTU and <see cref="EspSa.PathMtu"/> says so. On success
    /// <paramref name="fragments"/> is 1 for a whole packet, or the number of fragments laid end to end
    /// in <paramref name="output"/> (each delimited by its IPv4 total length), and <paramref name="written"/>
    /// covers them all. <see cref="DropReason.MtuExceeded"/> means the packet must not be fragmented:
    /// answer it with <see cref="WritePacketTooBig"/>.
    /// </summary>
    public DropReason Encapsulate(ReadOnlySpan<byte> innerPacket, Span<byte> output, out int written, out int fragments) =>
        Encapsulate(innerPacket, output, out written, out fragments, allowFragments: true);

    /// <summary>
    /// Writes the ICMP "fragmentation needed" / ICMPv6 Packet Too Big message for an inner packet this SA
    /// refused with <see cref="DropReason.MtuExceeded"/> into <paramref name="output"/> (at least
    /// <see cref="PacketTooBig.MaxLength"/> octets, not overlapping the packet). Returns its length, or 0
    /// when no message is due (see <see cref="PacketTooBig"/>).
    /// </summary>
    public int WritePacketTooBig(ReadOnlySpan<byte> innerPacket, Span<byte> output) =>
        PacketTooBig.Write(innerPacket, reportedMtu, source, output);

    private DropReason Encapsulate(ReadOnlySpan<byte> innerPacket, Span<byte> output, out int written, out int fragments, bool allowFragments)
    {
        written = 0;
        fragments = 0;
        if (innerPacket.IsEmpty)
        {
            return DropReason.Runt;
        }

        byte nextHeader;
        int innerLength;
        byte tos;
        bool innerDf;
        int version = innerPacket[0] >> 4;
        if (version == 4)
        {
            if (innerPacket.Length < 20)
            {
                return DropReason.Runt;
            }

            innerLength = BinaryPrimitives.ReadUInt16BigEndian(innerPacket[2..]);
            if (innerLength < 20 || innerLength > innerPacket.Length || (innerPacket[0] & 0x0F) < 5)
            {
                return DropReason.Malformed;
            }

            nextHeader = 4;
            tos = innerPacket[1];
            innerDf = (innerPacket[6] & 0x40) != 0;
        }
        else if (version == 6)
        {
            if (innerPacket.Length < 40)
            {
                return DropReason.Runt;
            }

            innerLength = 40 + BinaryPrimitives.ReadUInt16BigEndian(innerPacket[4..]);
            if (innerLength > innerPacket.Length)
            {
                return DropReason.Malformed;
            }

            nextHeader = 41;
            tos = (byte)(((innerPacket[0] & 0x0F) << 4) | (innerPacket[1] >> 4));
            innerDf = true;
        }
        else
        {
            return DropReason.UnsupportedProtocol;
        }

        int padded = Align(innerLength + 2, cipher.PadBlock);
        int padLength = padded - innerLength - 2;
        int espLength = 8 + cipher.IvLength + padded + cipher.IcvLength;
        int outerLength = OuterHeaderLength;
        int total = outerLength + espLength;
        if ((!outerIPv6 && total > ushort.MaxValue) || (outerIPv6 && total - 40 > ushort.MaxValue))
        {
            return DropReason.MtuExceeded;
        }

        int count = 1;
        if (mtu > 0 && total > mtu)
        {
            if (!allowFragments || !EspMtu.ShouldFragment(pathMtu, outerIPv6, innerPacket, maxInner))
            {
                return DropReason.MtuExceeded;
            }

            count = EspMtu.FragmentCount(total, mtu);
            if (count == 0)
            {
                return DropReason.MtuExceeded;
            }
        }

        if (output.Length < total + ((count - 1) * 20))
        {
            return DropReason.BufferTooSmall;
        }

        if (esn ? SequenceNumber == ulong.MaxValue : SequenceNumber >= uint.MaxValue)
        {
            return DropReason.SequenceOverflow;
        }

        ulong sequence = SequenceNumber + 1;
        SequenceNumber = sequence;

        Span<byte> packet = output[..total];
        WriteOuterHeader(packet, total, tos, innerDf, sequence);
        int udpOffset = outerIPv6 ? 40 : 20;
        if (udp)
        {
            Span<byte> udpHeader = packet.Slice(udpOffset, 8);
            BinaryPrimitives.WriteUInt16BigEndian(udpHeader, udpSource);
            BinaryPrimitives.WriteUInt16BigEndian(udpHeader[2..], udpDestination);
            BinaryPrimitives.WriteUInt16BigEndian(udpHeader[4..], (ushort)(8 + espLength));
            BinaryPrimitives.WriteUInt16BigEndian(udpHeader[6..], 0);
        }

        Span<byte> esp = packet[outerLength..];
        BinaryPrimitives.WriteUInt32BigEndian(esp, spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp[4..], (uint)sequence);
        ivSource.NextIv(sequence, esp.Slice(8, cipher.IvLength));
        Span<byte> payload = esp.Slice(8 + cipher.IvLength, padded);
        innerPacket[..innerLength].CopyTo(payload);
        if ((mss4 | mss6) != 0)
        {
            TcpMssClamp.Apply(payload[..innerLength], mss4, mss6);
        }

        for (int i = 0; i < padLength; i++)
        {
            payload[innerLength + i] = (byte)(i + 1);
        }

        payload[padded - 2] = (byte)padLength;
        payload[padded - 1] = nextHeader;
        cipher.Seal(esp, sequence);

        if (udp && outerIPv6)
        {
            // RFC 8200 §8.1: a UDP checksum is mandatory over IPv6.
            uint sum = IpChecksum.Sum(packet.Slice(8, 32));
            sum += 17;
            sum += (uint)(8 + espLength);
            sum = IpChecksum.Sum(packet[udpOffset..], sum);
            ushort checksum = IpChecksum.Fold(sum);
            BinaryPrimitives.WriteUInt16BigEndian(packet[(udpOffset + 6)..], checksum == 0 ? (ushort)0xFFFF : checksum);
        }

        written = count == 1 ? total : Fragment(output, total, count);
        fragments = count;
        return DropReason.None;
    }

    public void Dispose() => cipher.Dispose();

    private static int Align(int value, int block) => (value + block - 1) / block * block;

    /// <summary>
    /// Cuts the outer IPv4 packet at the start of <paramref name="output"/> into <paramref name="count"/>
    /// fragments in place (payloads moved right, last first), each with its own header. Returns the octets used.
    /// </summary>
    private int Fragment(Span<byte> output, int total, int count)
    {
        int chunk = EspMtu.FragmentPayload(mtu);
        int payloadLength = total - 20;
        for (int k = count - 1; k >= 1; k--)
        {
            int length = Math.Min(chunk, payloadLength - (k * chunk));
            output.Slice(20 + (k * chunk), length).CopyTo(output.Slice((k * (20 + chunk)) + 20, length));
        }

        Span<byte> template = stackalloc byte[20];
        output[..20].CopyTo(template);
        int written = 0;
        for (int k = 0; k < count; k++)
        {
            int length = Math.Min(chunk, payloadLength - (k * chunk));
            Span<byte> header = output.Slice(k * (20 + chunk), 20);
            template.CopyTo(header);
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(20 + length));
            BinaryPrimitives.WriteUInt16BigEndian(header[6..], (ushort)((k * chunk / 8) | (k < count - 1 ? 0x2000 : 0)));
            header[10] = 0;
            header[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(header[10..], IpChecksum.Fold(IpChecksum.Sum(header)));
            written = (k * (20 + chunk)) + 20 + length;
        }

        return written;
    }

    private void WriteOuterHeader(Span<byte> packet, int total, byte tos, bool innerDf, ulong sequence)
    {
        byte protocol = udp ? (byte)17 : (byte)50;
        if (outerIPv6)
        {
            packet[0] = (byte)(0x60 | (tos >> 4));
            packet[1] = (byte)(tos << 4);
            packet[2] = 0;
            packet[3] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)(total - 40));
            packet[6] = protocol;
            packet[7] = hopLimit;
            source.CopyTo(packet[8..]);
            destination.CopyTo(packet[24..]);
            return;
        }

        bool df = dontFragment switch
        {
            DontFragmentMode.Set => true,
            DontFragmentMode.Clear => false,
            _ => innerDf,
        };
        packet[0] = 0x45;
        packet[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(packet[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(packet[4..], (ushort)sequence);
        BinaryPrimitives.WriteUInt16BigEndian(packet[6..], df ? (ushort)0x4000 : (ushort)0);
        packet[8] = hopLimit;
        packet[9] = protocol;
        packet[10] = 0;
        packet[11] = 0;
        source.CopyTo(packet[12..]);
        destination.CopyTo(packet[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(packet[10..], IpChecksum.Fold(IpChecksum.Sum(packet[..20])));
    }
}
