namespace Isthmus.Esp;

/// <summary>Counters of one SA: packets and inner bytes processed successfully, and drops by reason.</summary>
public sealed record SaCounters(uint Spi, EspDirection Direction, ulong Bytes, ulong Packets, DropCounts Drops);

/// <summary>All counters of a dataplane: per SA, plus drops that no SA could be charged with (unknown SPI, no policy, runts...).</summary>
public sealed record CounterSnapshot(IReadOnlyList<SaCounters> Sas, DropCounts GlobalDrops)
{
    /// <summary>Packets passed in the clear by Bypass policies.</summary>
    public ulong BypassPackets { get; init; }

    /// <summary>Packets handed to the host (IKE on UDP 4500 with a non-ESP marker, NAT keepalives).</summary>
    public ulong HostPackets { get; init; }
}
