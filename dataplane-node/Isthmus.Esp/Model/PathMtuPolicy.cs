namespace Isthmus.Esp;

/// <summary>
/// What an outbound SA does with an inner packet whose ESP packet would exceed <see cref="EspSa.Mtu"/>
/// (RFC 4301 §8: post-fragmentation of the outer packet, or a "too big" ICMP message to the source).
/// Either way the ICMP message goes to the inner packet's source on the clear side, rate-limited,
/// and the packet it describes is dropped and counted as <see cref="DropReason.MtuExceeded"/>.
/// An outer IPv6 packet is never fragmented: with an IPv6 tunnel every oversize packet gets the ICMP.
/// </summary>
public enum PathMtuPolicy : byte
{
    /// <summary>
    /// The inner packet decides: an IPv4 packet with DF set, or an IPv6 packet, is dropped with an ICMP
    /// "fragmentation needed" (RFC 1191) / ICMPv6 Packet Too Big (RFC 8201, RFC 4443 §3.2); an IPv4 packet
    /// with DF clear is encrypted and the outer IPv4 packet fragmented. An IPv6 packet is also
    /// fragmented when the tunnel cannot carry 1280 inner octets (RFC 8200 §5: the link below IPv6
    /// must then fragment).
    /// </summary>
    FollowDontFragment = 0,

    /// <summary>Always encrypt and fragment the outer IPv4 packet, whatever the inner DF bit says; never ICMP.</summary>
    Fragment = 1,

    /// <summary>Never fragment: every oversize packet is dropped with an ICMP / ICMPv6 "too big" message.</summary>
    Icmp = 2,
}
