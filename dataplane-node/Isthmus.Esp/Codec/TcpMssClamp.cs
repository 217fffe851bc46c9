using System.Buffers.Binary;

namespace Isthmus.Esp;

/// <summary>
/// TCP MSS clamping on the clear side: the MSS option (kind 2, RFC 9293 §3.7.1) of a SYN or SYN-ACK
/// that announces more than the tunnel can carry is lowered in place, and the TCP checksum updated
/// incrementally (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). Everything else (other segments, an MSS
/// already small enough, fragments after the first, malformed options) is left untouched. Never throws.
/// </summary>
public static class TcpMssClamp
{
    /// <summary>
    /// Clamps the MSS of the IPv4 or IPv6 packet at the start of <paramref name="packet"/> to
    /// <paramref name="maxMssIPv4"/> or <paramref name="maxMssIPv6"/> (0: leave that family alone).
    /// Returns true when the option was rewritten.
    /// </summary>
    public static bool Apply(Span<byte> packet, ushort maxMssIPv4, ushort maxMssIPv6)
    {
        if (packet.Length < 20)
        {
            return false;
        }

        int version = packet[0] >> 4;
        int offset;
        int total;
        ushort max;
        if (version == 4)
        {
            max = maxMssIPv4;
            offset = (packet[0] & 0x0F) * 4;
            total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
            if (max == 0 || packet[9] != 6 || offset < 20 || total > packet.Length ||
                (BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) & 0x1FFF) != 0)
            {
                return false;
            }
        }
        else if (version == 6 && packet.Length >= 40)
        {
            max = maxMssIPv6;
            total = 40 + BinaryPrimitives.ReadUInt16BigEndian(packet[4..]);
            if (max == 0 || total > packet.Length)
            {
                return false;
            }

            byte next = packet[6];
            offset = 40;
            while (next is 0 or 43 or 60)
            {
                if (offset + 8 > total)
                {
                    return false;
                }

                next = packet[offset];
                offset += (packet[offset + 1] + 1) * 8;
            }

            if (next != 6)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (offset + 20 > total)
        {
            return false;
        }

        Span<byte> tcp = packet[offset..total];
        int dataOffset = (tcp[12] >> 4) * 4;
        if ((tcp[13] & 0x02) == 0 || dataOffset <= 20 || dataOffset > tcp.Length)
        {
            return false;
        }

        int i = 20;
        while (i < dataOffset)
        {
            byte kind = tcp[i];
            if (kind == 0)
            {
                return false;
            }

            if (kind == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= dataOffset)
            {
                return false;
            }

            int length = tcp[i + 1];
            if (length < 2 || i + length > dataOffset)
            {
                return false;
            }

            if (kind == 2 && length == 4)
            {
                ushort mss = BinaryPrimitives.ReadUInt16BigEndian(tcp[(i + 2)..]);
                if (mss <= max)
                {
                    return false;
                }

                BinaryPrimitives.WriteUInt16BigEndian(tcp[(i + 2)..], max);
                ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
                BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], IpChecksum.Update(checksum, mss, max));
                return true;
            }

            i += length;
        }

        return false;
    }
}
