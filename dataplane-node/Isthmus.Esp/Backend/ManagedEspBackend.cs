using System.Net.Sockets;

namespace Isthmus.Esp;

/// <summary>
/// The dataplane on .NET crypto: SAD by SPI and direction, an ordered SPD per direction, lifetimes
/// with soft/hard events, counters, and the packet path (<see cref="ProcessOutbound"/>,
/// <see cref="ProcessInbound"/>). The fallback where DPDK cannot run, and the reference the DPDK
/// engine is compared against.
/// <para>Control calls take a writer lock and publish new immutable tables; the packet path reads
/// the current tables without locking and locks only the SA it uses, so packets on different SAs
/// proceed in parallel. Successful packets allocate nothing.</para>
/// <para>Outer fragments arriving on the cipher side are not reassembled here: they are dropped as
/// <see cref="DropReason.Fragmented"/> (the DPDK engine reassembles them).</para>
/// </summary>
public sealed class ManagedEspBackend : IEspBackend
{
    private readonly Lock writeGate = new();
    private readonly TimeProvider time;
    private readonly Func<EspSa, IEspIvSource?> ivSources;
    private readonly DataplaneEventHub events = new();
    private readonly long[] globalDrops = new long[DropReasons.Count];
    private readonly Dictionary<uint, long> lastAcquire = [];
    private volatile Tables tables = Tables.Empty;
    private long bypassPackets;
    private long hostPackets;
    private bool disposed;
    private IcmpRateLimiter? icmpLimiter;

    /// <param name="time">Clock for event timestamps and acquire rate limiting.</param>
    /// <param name="ivSources">IV source per outbound SA (tests); null means each algorithm's default.</param>
    public ManagedEspBackend(TimeProvider? time = null, Func<EspSa, IEspIvSource?>? ivSources = null)
    {
        this.time = time ?? TimeProvider.System;
        this.ivSources = ivSources ?? (_ => null);
    }

    public string Name => "managed";

    /// <summary>At most one acquire per policy per interval (default one second).</summary>
    public TimeSpan AcquireInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>ICMP "too big" messages (fragmentation needed, Packet Too Big) sent per second at most, over all SAs; 0 sends none.</summary>
    public int IcmpErrorsPerSecond { get; init; } = 100;

    /// <summary>ICMP "too big" messages that may go at once after a quiet period.</summary>
    public int IcmpErrorBurst { get; init; } = 20;

    /// <summary>The event hub, for hosts that publish their own events alongside (e.g. packet I/O errors).</summary>
    internal DataplaneEventHub Events => events;

    public ValueTask<ControlResult> AddSaAsync(EspSa sa, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InstallSa(sa, replace: false));

    public ValueTask<ControlResult> UpdateSaAsync(EspSa sa, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(InstallSa(sa, replace: true));

    public ValueTask<ControlResult> DeleteSaAsync(uint spi, EspDirection direction, CancellationToken cancellationToken = default)
    {
        SaRuntime? removed;
        lock (writeGate)
        {
            var current = tables;
            var sas = new Dictionary<SaKey, SaRuntime>(current.Sas);
            if (!sas.Remove(new SaKey(spi, direction), out removed))
            {
                return ValueTask.FromResult(ControlResult.NotFound($"no SA spi 0x{spi:x8} {direction}"));
            }

            tables = current with { Sas = sas };
        }

        removed.Dispose();
        return ValueTask.FromResult(ControlResult.Ok);
    }

    public ValueTask<ControlResult> AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken = default)
    {
        if (policy is null)
        {
            return ValueTask.FromResult(ControlResult.Invalid("policy is required"));
        }

        string? problem = policy.Validate();
        if (problem is not null)
        {
            return ValueTask.FromResult(ControlResult.Invalid(problem));
        }

        lock (writeGate)
        {
            var current = tables;
            if (current.Out.Policies.Any(p => p.Id == policy.Id) || current.In.Policies.Any(p => p.Id == policy.Id))
            {
                return ValueTask.FromResult(ControlResult.AlreadyExists($"policy {policy.Id} exists"));
            }

            tables = policy.Direction == PolicyDirection.Out
                ? current with { Out = new PolicyTable(current.Out.Policies.Append(policy)) }
                : current with { In = new PolicyTable(current.In.Policies.Append(policy)) };
        }

        return ValueTask.FromResult(ControlResult.Ok);
    }

    public ValueTask<ControlResult> DeletePolicyAsync(uint policyId, CancellationToken cancellationToken = default)
    {
        lock (writeGate)
        {
            var current = tables;
            if (current.Out.Policies.Any(p => p.Id == policyId))
            {
                tables = current with { Out = new PolicyTable(current.Out.Policies.Where(p => p.Id != policyId)) };
            }
            else if (current.In.Policies.Any(p => p.Id == policyId))
            {
                tables = current with { In = new PolicyTable(current.In.Policies.Where(p => p.Id != policyId)) };
            }
            else
            {
                return ValueTask.FromResult(ControlResult.NotFound($"no policy {policyId}"));
            }

            lastAcquire.Remove(policyId);
        }

        return ValueTask.FromResult(ControlResult.Ok);
    }

    public ValueTask<IReadOnlyList<EspSaSummary>> ListSasAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<EspSaSummary> list = tables.Sas.Values
            .Select(r => r.Summary())
            .OrderBy(s => s.Direction).ThenBy(s => s.Spi)
            .ToArray();
        return ValueTask.FromResult(list);
    }

    public ValueTask<IReadOnlyList<EspPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        var current = tables;
        IReadOnlyList<EspPolicy> list = [.. current.Out.Policies, .. current.In.Policies];
        return ValueTask.FromResult(list);
    }

    public ValueTask<CounterSnapshot> GetCountersAsync(CancellationToken cancellationToken = default)
    {
        var sas = tables.Sas.Values.Select(r => r.Snapshot()).OrderBy(c => c.Direction).ThenBy(c => c.Spi).ToArray();
        var global = new ulong[DropReasons.Count];
        for (int i = 0; i < global.Length; i++)
        {
            global[i] = (ulong)Interlocked.Read(ref globalDrops[i]);
        }

        return ValueTask.FromResult(new CounterSnapshot(sas, new DropCounts(global))
        {
            BypassPackets = (ulong)Interlocked.Read(ref bypassPackets),
            HostPackets = (ulong)Interlocked.Read(ref hostPackets),
        });
    }

    public IAsyncEnumerable<DataplaneEvent> ReadEventsAsync(CancellationToken cancellationToken = default) =>
        events.ReadAllAsync(cancellationToken);

    /// <summary>
    /// Clear side → cipher side: SPD lookup, then encapsulation with the policy's SA into
    /// <paramref name="output"/>. Protect without an installed SA raises a (rate-limited) acquire.
    /// A packet larger than the SA's MTU is, per <see cref="EspSa.PathMtu"/>, either sent as outer
    /// IPv4 fragments (<see cref="PacketResult.Fragments"/>) or dropped as
    /// <see cref="DropReason.MtuExceeded"/>, with a rate-limited ICMP message about it in
    /// <paramref name="output"/> (<see cref="PacketAction.Reply"/>) to send back on the clear side.
    /// Give <paramref name="output"/> room for the fragments' extra headers and for
    /// <see cref="PacketTooBig.MaxLength"/> octets.
    /// </summary>
    public PacketResult ProcessOutbound(ReadOnlySpan<byte> clearPacket, Span<byte> output, out int written)
    {
        written = 0;
        DropReason flowVerdict = InnerFlow.TryRead(clearPacket, out var flow);
        if (flowVerdict != DropReason.None)
        {
            return GlobalDrop(flowVerdict);
        }

        var current = tables;
        EspPolicy? policy = current.Out.Lookup(flow);
        if (policy is null)
        {
            return GlobalDrop(DropReason.NoPolicy);
        }

        switch (policy.Action)
        {
            case PolicyAction.Bypass:
                Interlocked.Increment(ref bypassPackets);
                return new PacketResult(PacketAction.Bypass, DropReason.None, 0);
            case PolicyAction.Discard:
                return GlobalDrop(DropReason.PolicyDiscard);
        }

        if (!current.Sas.TryGetValue(new SaKey(policy.Spi, EspDirection.Outbound), out var sa))
        {
            RaiseAcquire(policy.Id, flow);
            return GlobalDrop(DropReason.NoSa);
        }

        lock (sa.Gate)
        {
            if (sa.HardExpired)
            {
                sa.CountDrop(DropReason.HardLifetime);
                return PacketResult.Dropped(DropReason.HardLifetime, policy.Spi);
            }

            DropReason verdict = sa.Outbound!.Encapsulate(clearPacket, output, out written, out int fragments);
            if (verdict == DropReason.MtuExceeded)
            {
                sa.CountDrop(verdict);
                written = sa.Outbound.WritePacketTooBig(clearPacket, output);
                if (written != 0 && IcmpLimiter.TryAcquire())
                {
                    sa.IcmpErrors++;
                    return new PacketResult(PacketAction.Reply, verdict, policy.Spi);
                }

                written = 0;
                return PacketResult.Dropped(verdict, policy.Spi);
            }

            if (verdict != DropReason.None)
            {
                sa.CountDrop(verdict);
                return PacketResult.Dropped(verdict, policy.Spi);
            }

            if (fragments > 1)
            {
                sa.Fragments += (ulong)fragments;
            }

            Expire(sa, sa.CountPacket(flow.Length));
            return new PacketResult(PacketAction.Forward, DropReason.None, policy.Spi) { Fragments = fragments > 1 ? fragments : 0 };
        }
    }

    /// <summary>
    /// Cipher side → clear side: ESP is decapsulated with the SA its SPI names (the inner packet in
    /// <paramref name="output"/>); IKE and NAT keepalives on the NAT-T port go to the host; other
    /// packets follow the inbound SPD (no match: bypass, as XFRM does; Protect: dropped as not protected).
    /// </summary>
    public PacketResult ProcessInbound(ReadOnlySpan<byte> cipherPacket, Span<byte> output, out int written)
    {
        written = 0;
        DropReason outer = CipherSidePacket.TryRead(cipherPacket, out var info);
        if (outer != DropReason.None)
        {
            return GlobalDrop(outer);
        }

        var current = tables;
        switch (info.Kind)
        {
            case CipherPacketKind.NatKeepalive or CipherPacketKind.Ike:
                Interlocked.Increment(ref hostPackets);
                return new PacketResult(PacketAction.ToHost, DropReason.None, 0);
            case CipherPacketKind.Other:
            {
                DropReason flowVerdict = InnerFlow.TryRead(cipherPacket, out var flow);
                if (flowVerdict != DropReason.None)
                {
                    return GlobalDrop(flowVerdict);
                }

                EspPolicy? policy = current.In.Lookup(flow);
                if (policy is null || policy.Action == PolicyAction.Bypass)
                {
                    Interlocked.Increment(ref bypassPackets);
                    return new PacketResult(PacketAction.Bypass, DropReason.None, 0);
                }

                return GlobalDrop(policy.Action == PolicyAction.Protect ? DropReason.NotProtected : DropReason.PolicyDiscard);
            }
        }

        if (!current.Sas.TryGetValue(new SaKey(info.Spi, EspDirection.Inbound), out var sa))
        {
            return GlobalDrop(DropReason.UnknownSpi);
        }

        lock (sa.Gate)
        {
            if (sa.HardExpired)
            {
                sa.CountDrop(DropReason.HardLifetime);
                return PacketResult.Dropped(DropReason.HardLifetime, info.Spi);
            }

            DropReason verdict = sa.Inbound!.Decapsulate(cipherPacket.Slice(info.EspOffset, info.EspLength), output, out written);
            if (verdict != DropReason.None)
            {
                sa.CountDrop(verdict);
                return PacketResult.Dropped(verdict, info.Spi);
            }

            Expire(sa, sa.CountPacket(written));
        }

        return new PacketResult(PacketAction.Forward, DropReason.None, info.Spi);
    }

    public ValueTask DisposeAsync()
    {
        Tables last;
        lock (writeGate)
        {
            if (disposed)
            {
                return ValueTask.CompletedTask;
            }

            disposed = true;
            last = tables;
            tables = Tables.Empty;
        }

        foreach (var sa in last.Sas.Values)
        {
            sa.Dispose();
        }

        events.Dispose();
        return ValueTask.CompletedTask;
    }

    private ControlResult InstallSa(EspSa sa, bool replace)
    {
        if (sa is null)
        {
            return ControlResult.Invalid("SA is required");
        }

        string? problem = sa.Validate();
        if (problem is not null)
        {
            return ControlResult.Invalid(problem);
        }

        var key = new SaKey(sa.Spi, sa.Direction);
        SaRuntime? previous;
        lock (writeGate)
        {
            if (disposed)
            {
                return ControlResult.Failed("backend is shut down");
            }

            var current = tables;
            current.Sas.TryGetValue(key, out previous);
            if (replace && previous is null)
            {
                return ControlResult.NotFound($"no SA {sa.Name}");
            }

            if (!replace && previous is not null)
            {
                return ControlResult.AlreadyExists($"SA {sa.Name} exists");
            }

            SaRuntime runtime;
            if (previous is not null)
            {
                // Keep the sequence number and replay state across an update unless the caller sets one.
                lock (previous.Gate)
                {
                    runtime = CreateRuntime(sa, previous);
                }
            }
            else
            {
                runtime = CreateRuntime(sa, null);
            }

            var sas = new Dictionary<SaKey, SaRuntime>(current.Sas) { [key] = runtime };
            tables = current with { Sas = sas };
        }

        previous?.Dispose();
        return ControlResult.Ok;
    }

    private SaRuntime CreateRuntime(EspSa sa, SaRuntime? previous)
    {
        if (sa.Direction == EspDirection.Outbound)
        {
            var codec = new EspOutboundCodec(sa, ivSources(sa));
            if (previous?.Outbound is { } old && sa.InitialSequenceNumber is null)
            {
                codec.SequenceNumber = old.SequenceNumber;
            }

            return new SaRuntime(sa, codec, null, previous);
        }

        return new SaRuntime(sa, null, new EspInboundCodec(sa, previous?.Inbound), previous);
    }

    private void Expire(SaRuntime sa, (LifetimeKind? Soft, LifetimeKind? Hard) crossed)
    {
        if (crossed.Soft is { } soft)
        {
            events.Publish(new SoftExpireEvent(time.GetUtcNow(), sa.Sa.Spi, sa.Sa.Direction, soft));
        }

        if (crossed.Hard is { } hard)
        {
            events.Publish(new HardExpireEvent(time.GetUtcNow(), sa.Sa.Spi, sa.Sa.Direction, hard));
        }
    }

    private void RaiseAcquire(uint policyId, in InnerFlow flow)
    {
        long now = time.GetTimestamp();
        lock (writeGate)
        {
            if (lastAcquire.TryGetValue(policyId, out long last) && time.GetElapsedTime(last, now) < AcquireInterval)
            {
                return;
            }

            lastAcquire[policyId] = now;
        }

        var family = flow.IsIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var packetFlow = new PacketFlow(
            IpAddressRange.FromUInt128(flow.Source, family),
            IpAddressRange.FromUInt128(flow.Destination, family),
            flow.Protocol,
            (ushort)Math.Max(flow.SourcePort, 0),
            (ushort)Math.Max(flow.DestinationPort, 0));
        events.Publish(new AcquireEvent(time.GetUtcNow(), policyId, packetFlow));
    }

    private IcmpRateLimiter IcmpLimiter =>
        Volatile.Read(ref icmpLimiter) ?? InitializeLimiter();

    private IcmpRateLimiter InitializeLimiter()
    {
        Interlocked.CompareExchange(ref icmpLimiter, new IcmpRateLimiter(IcmpErrorsPerSecond, Math.Max(1, IcmpErrorBurst), time), null);
        return icmpLimiter!;
    }

    private PacketResult GlobalDrop(DropReason reason)
    {
        Interlocked.Increment(ref globalDrops[(int)reason]);
        return PacketResult.Dropped(reason);
    }

    private readonly record struct SaKey(uint Spi, EspDirection Direction);

    private sealed record Tables(Dictionary<SaKey, SaRuntime> Sas, PolicyTable Out, PolicyTable In)
    {
        public static Tables Empty { get; } = new([], PolicyTable.Empty, PolicyTable.Empty);
    }
}
