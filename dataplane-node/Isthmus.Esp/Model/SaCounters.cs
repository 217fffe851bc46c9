namespace Isthmus.Esp;

/// <summary>Counters of one SA: packets and inner bytes processed successfully, and drops by reason.</summary>
public sealed record SaCounters(uint Spi, EspDirection Direction, ulong Bytes, ulong Packets, DropCounts Drops)
{
    /// <summary>Outer IPv4 fragments sent (RFC 4301 §8 post-fragmentation); a packet sent in 3 fragments adds 3 here and 1 to <see cref="Packets"/>.</summary>
    public ulong Fragments { get; init; }

    /// <summary>ICMP "fragmentation needed" / ICMPv6 Packet Too Big messages sent toward the clear side (each for a packet counted as <see cref="DropReason.MtuExceeded"/>).</summary>
    public ulong IcmpErrors { get; init; }
}

/// <summary>All counters of a dataplane: per SA, plus drops that no SA could be charged with (unknown SPI, no policy, runts...).</summary>
public sealed record CounterSnapshot(IReadOnlyList<SaCounters> Sas, DropCounts GlobalDrops)
{
    /// <summary>Packets passed in the clear by Bypass policies.</summary>
    public ulong BypassPackets { get; init; }

    /// <summary>Packets handed to the host (IKE on UDP 4500 with a non-ESP marker, NAT keepalives).</summary>
    public ulong HostPackets { get; init; }

    /// <summary>Outer IPv4 packets rebuilt from fragments on the cipher side (backends that reassemble).</summary>
    public ulong ReassembledPackets { get; init; }
}
