using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>What arrived on the cipher side.</summary>
public enum CipherPacketKind : byte
{
    /// <summary>ESP, as IP protocol 50 or inside UDP (RFC 3948).</summary>
    Esp = 1,

    /// <summary>A NAT-keepalive (a single 0xFF octet on the NAT-T port, RFC 3948 §2.3): for the host, never decrypted.</summary>
    NatKeepalive = 2,

    /// <summary>IKE on the NAT-T port, behind the non-ESP marker (RFC 3948 §2.2): for the host, never decrypted.</summary>
    Ike = 3,

    /// <summary>Anything else: subject to the inbound SPD (bypass or discard).</summary>
    Other = 4,
}

/// <summary>
/// The outer headers of a cipher-side packet: where its ESP header starts, and its SPI.
/// <see cref="TryRead"/> never throws; a bad packet yields a <see cref="DropReason"/>.
/// </summary>
public readonly struct CipherSidePacket
{
    private CipherSidePacket(CipherPacketKind kind, bool isIPv6, bool udp, int espOffset, int espLength, uint spi)
    {
        Kind = kind;
        IsIPv6 = isIPv6;
        UdpEncapsulated = udp;
        EspOffset = espOffset;
        EspLength = espLength;
        Spi = spi;
    }

    public CipherPacketKind Kind { get; }

    public bool IsIPv6 { get; }

    public bool UdpEncapsulated { get; }

    /// <summary>Offset of the SPI field in the packet (for ESP).</summary>
    public int EspOffset { get; }

    /// <summary>Octets from the SPI to the end of the ICV (for ESP).</summary>
    public int EspLength { get; }

    public uint Spi { get; }

    /// <summary>
    /// Reads the outer IPv4/IPv6 header and, for UDP to <paramref name="natTraversalPort"/>, the UDP
    /// header and the RFC 3948 markers. Fragments are refused (<see cref="DropReason.Fragmented"/>):
    /// the managed path does not reassemble.
    /// </summary>
    public static DropReason TryRead(ReadOnlySpan<byte> packet, out CipherSidePacket info, ushort natTraversalPort = UdpEncapsulation.NatTraversalPort)
    {
        info = default;
        if (packet.Length < 1)
        {
            return DropReason.Runt;
        }

        int version = packet[0] >> 4;
        int offset;
        int total;
        byte protocol;
        bool isIPv6;
        if (version == 4)
        {
            if (packet.Length < 20)
            {
                return DropReason.Runt;
            }

            offset = (packet[0] & 0x0F) * 4;
            total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            if (offset < 20 || total < offset || total > packet.Length)
            {
                return DropReason.Malformed;
            }

            if ((BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x3FFF) != 0)
            {
                return DropReason.Fragmented;
            }

            protocol = packet[9];
            isIPv6 = false;
        }
        else if (version == 6)
        {
            if (packet.Length < 40)
            {
                return DropReason.Runt;
            }

            total = 40 + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            if (total > packet.Length)
            {
                return DropReason.Malformed;
            }

            protocol = packet[6];
            offset = 40;
            isIPv6 = true;
            while (protocol is 0 or 43 or 60)
            {
                if (offset + 8 > total)
                {
                    return DropReason.Malformed;
                }

                protocol = packet[offset];
                offset += (packet[offset + 1] + 1) * 8;
            }

            if (protocol == 44)
            {
                return DropReason.Fragmented;
            }

            if (offset > total)
            {
                return DropReason.Malformed;
            }
        }
        else
        {
            return DropReason.UnsupportedProtocol;
        }

        bool udp = false;
        if (protocol == 17)
        {
            if (total - offset < 8)
            {
                return DropReason.Runt;
            }

            ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
            int udpLength = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 4)..]);
            if (destinationPort != natTraversalPort)
            {
                info = new CipherSidePacket(CipherPacketKind.Other, isIPv6, false, 0, 0, 0);
                return DropReason.None;
            }

            if (udpLength < 8 || offset + udpLength > total)
            {
                return DropReason.Malformed;
            }

            total = offset + udpLength;
            offset += 8;
            int udpPayload = total - offset;
            if (udpPayload == 1 && packet[offset] == 0xFF)
            {
                info = new CipherSidePacket(CipherPacketKind.NatKeepalive, isIPv6, true, 0, 0, 0);
                return DropReason.None;
            }

            if (udpPayload >= 4 && BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]) == 0)
            {
                info = new CipherSidePacket(CipherPacketKind.Ike, isIPv6, true, 0, 0, 0);
                return DropReason.None;
            }

            udp = true;
        }
        else if (protocol != 50)
        {
            info = new CipherSidePacket(CipherPacketKind.Other, isIPv6, false, 0, 0, 0);
            return DropReason.None;
        }

        if (total - offset < 8)
        {
            return DropReason.Runt;
        }

        uint spi = BinaryPrimitives.ReadUInt32BigEndian(packet[offset..]);
        info = new CipherSidePacket(CipherPacketKind.Esp, isIPv6, udp, offset, total - offset, spi);
        return DropReason.None;
    }
}
