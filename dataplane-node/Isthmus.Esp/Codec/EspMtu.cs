using System.Net.Sockets;

namespace Isthmus.Esp;

/// <summary>
/// The MTU arithmetic both engines share: how large an inner packet fits an SA's MTU, the TCP MSS
/// that goes with it, whether an oversize packet is fragmented after encryption or answered with an
/// ICMP message (<see cref="PathMtuPolicy"/>), and how the outer IPv4 packet is cut into fragments.
/// </summary>
public static class EspMtu
{
    /// <summary>
    /// Most fragments one outer packet is cut into. Matches DPDK's reassembly limit
    /// (RTE_LIBRTE_IP_FRAG_MAX_FRAG), so a peer running this dataplane can always put them back;
    /// a packet that would need more is treated as one that cannot be fragmented.
    /// </summary>
    public const int MaxFragments = 8;

    /// <summary>
    /// The largest inner packet whose ESP packet fits <see cref="EspSa.Mtu"/>: the MTU less the outer
    /// header, UDP (RFC 3948), SPI and sequence number, IV and ICV, rounded down to the padding block,
    /// less the pad-length and next-header octets. 0 when the SA has no MTU or nothing fits.
    /// </summary>
    public static int MaxInnerLength(EspSa sa)
    {
        ArgumentNullException.ThrowIfNull(sa);
        return sa.Mtu == 0 ? 0 : MaxInnerLength(sa.Mtu, sa.TunnelSource.AddressFamily == AddressFamily.InterNetworkV6, sa.Encapsulation is not null, sa.Encryption, sa.Integrity);
    }

    /// <inheritdoc cref="MaxInnerLength(EspSa)"/>
    public static int MaxInnerLength(int mtu, bool outerIPv6, bool udp, EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity)
    {
        int block = EspAlgorithms.PadBlock(encryption);
        int fixedLength = (outerIPv6 ? 40 : 20) + (udp ? 8 : 0) + 8 + EspAlgorithms.IvLength(encryption) + EspAlgorithms.IcvLength(encryption, integrity);
        int room = mtu - fixedLength;
        return room < block ? 0 : (room / block * block) - 2;
    }

    /// <summary>
    /// The TCP MSS a SYN may announce through an SA whose largest inner packet is
    /// <paramref name="maxInnerLength"/>: less a 20-octet TCP header and the IPv4 (20) or IPv6 (40)
    /// header, as routers clamp. 0 means no clamping (no MTU, or clamping off).
    /// </summary>
    public static ushort MaxTcpMss(int maxInnerLength, bool innerIPv6)
    {
        int mss = maxInnerLength - 20 - (innerIPv6 ? 40 : 20);
        return maxInnerLength == 0 || mss <= 0 ? (ushort)0 : (ushort)Math.Min(mss, ushort.MaxValue);
    }

    /// <summary>
    /// Octets of ESP payload each outer IPv4 fragment carries (the last may carry fewer): the MTU less
    /// the 20-octet header, rounded down to 8 (RFC 791 fragment offsets count 8-octet units).
    /// </summary>
    public static int FragmentPayload(int mtu) => Math.Max(0, (mtu - 20) & ~7);

    /// <summary>How many outer IPv4 fragments a packet of <paramref name="outerLength"/> octets (20-octet header) becomes; 0 when it cannot be fragmented within <see cref="MaxFragments"/>.</summary>
    public static int FragmentCount(int outerLength, int mtu)
    {
        int payload = FragmentPayload(mtu);
        if (payload == 0)
        {
            return 0;
        }

        int count = (outerLength - 20 + payload - 1) / payload;
        return count > MaxFragments ? 0 : count;
    }

    /// <summary>
    /// True when an inner packet too large for the SA is encrypted and its outer IPv4 packet
    /// fragmented; false when it is dropped with an ICMP message. An outer IPv6 packet is never
    /// fragmented. <paramref name="innerPacket"/> must hold at least the inner IP header's first 8 octets.
    /// </summary>
    public static bool ShouldFragment(PathMtuPolicy policy, bool outerIPv6, ReadOnlySpan<byte> innerPacket, int maxInnerLength)
    {
        if (outerIPv6)
        {
            return false;
        }

        return policy switch
        {
            PathMtuPolicy.Fragment => true,
            PathMtuPolicy.Icmp => false,
            _ => (innerPacket[0] >> 4) == 4 ? (innerPacket[6] & 0x40) == 0 : maxInnerLength < 1280,
        };
    }
}
