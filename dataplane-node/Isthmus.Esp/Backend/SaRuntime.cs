namespace Isthmus.Esp;

/// <summary>
/// An installed SA in the managed backend: its codec, counters and lifetime state. The packet
/// path locks <see cref="Gate"/> while it uses the codec (codecs are single-threaded).
/// </summary>
internal sealed class SaRuntime : IDisposable
{
    private readonly ulong[] drops;

    public SaRuntime(EspSa sa, EspOutboundCodec? outbound, EspInboundCodec? inbound, SaRuntime? previous)
    {
        Sa = sa;
        Outbound = outbound;
        Inbound = inbound;
        drops = previous?.drops ?? new ulong[DropReasons.Count];
        if (previous is not null)
        {
            Bytes = previous.Bytes;
            Packets = previous.Packets;
            Fragments = previous.Fragments;
            IcmpErrors = previous.IcmpErrors;
            SoftExpired = previous.SoftExpired && sa.Lifetime == previous.Sa.Lifetime;
            HardExpired = previous.HardExpired && sa.Lifetime == previous.Sa.Lifetime;
        }
    }

    public Lock Gate { get; } = new();

    public EspSa Sa { get; }

    public EspOutboundCodec? Outbound { get; }

    public EspInboundCodec? Inbound { get; }

    public ulong Bytes { get; private set; }

    public ulong Packets { get; private set; }

    /// <summary>Outer fragments sent (outbound post-fragmentation).</summary>
    public ulong Fragments { get; set; }

    /// <summary>ICMP errors sent for packets too big for this SA.</summary>
    public ulong IcmpErrors { get; set; }

    public bool SoftExpired { get; private set; }

    public bool HardExpired { get; private set; }

    public ulong SequenceNumber => Outbound?.SequenceNumber ?? Inbound?.HighestSequenceNumber ?? 0;

    public void CountDrop(DropReason reason) => drops[(int)reason]++;

    /// <summary>Counts a processed packet; returns the lifetime limits it crossed (soft and/or hard), if any.</summary>
    public (LifetimeKind? Soft, LifetimeKind? Hard) CountPacket(int innerLength)
    {
        Packets++;
        Bytes += (ulong)innerLength;
        var lifetime = Sa.Lifetime;
        LifetimeKind? soft = null;
        LifetimeKind? hard = null;
        if (!SoftExpired)
        {
            soft = Reached(lifetime.SoftBytes, lifetime.SoftPackets);
            SoftExpired = soft is not null;
        }

        if (!HardExpired)
        {
            hard = Reached(lifetime.HardBytes, lifetime.HardPackets);
            HardExpired = hard is not null;
        }

        return (soft, hard);
    }

    public SaCounters Snapshot()
    {
        lock (Gate)
        {
            return new SaCounters(Sa.Spi, Sa.Direction, Bytes, Packets, new DropCounts(drops)) { Fragments = Fragments, IcmpErrors = IcmpErrors };
        }
    }

    public EspSaSummary Summary()
    {
        lock (Gate)
        {
            return Sa.ToSummary() with { SequenceNumber = SequenceNumber, SoftExpired = SoftExpired, HardExpired = HardExpired };
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            Outbound?.Dispose();
            Inbound?.Dispose();
        }
    }

    private LifetimeKind? Reached(ulong bytesLimit, ulong packetsLimit)
    {
        if (bytesLimit != 0 && Bytes >= bytesLimit)
        {
            return LifetimeKind.Bytes;
        }

        if (packetsLimit != 0 && Packets >= packetsLimit)
        {
            return LifetimeKind.Packets;
        }

        return null;
    }
}
