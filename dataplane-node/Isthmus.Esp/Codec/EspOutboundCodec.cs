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
    }

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
    /// own length ignored) into <paramref name="output"/>. Returns <see cref="DropReason.None"/> and the
    /// packet length in <paramref name="written"/>, or the reason it was dropped (written = 0).
    /// </summary>
    public DropReason Encapsulate(ReadOnlySpan<byte> innerPacket, Span<byte> output, out int written)
    {
        written = 0;
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
        if ((!outerIPv6 && total > ushort.MaxValue) || (outerIPv6 && total - 40 > ushort.MaxValue) || (mtu > 0 && total > mtu))
        {
            return DropReason.MtuExceeded;
        }

        if (output.Length < total)
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

        written = total;
        return DropReason.None;
    }

    public void Dispose() => cipher.Dispose();

    private static int Align(int value, int block) => (value + block - 1) / block * block;

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
