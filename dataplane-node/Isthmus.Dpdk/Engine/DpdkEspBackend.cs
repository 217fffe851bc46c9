using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Isthmus.Dpdk.Interop;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// The ESP dataplane on DPDK. Outbound: rx on the clear port → SPD (rte_acl) → group by SA →
/// rte_ipsec_pkt_crypto_prepare → cryptodev → failed ops marked (rte_ipsec_pkt_crypto_group) →
/// rte_ipsec_pkt_process → outer checksum → tx on the cipher port. Inbound: rx on the cipher port →
/// IKE/keepalives to the host → SA by SPI (rte_ipsec_sad) → the same path with the inbound SA
/// (replay window, ESN) → inner packet checked against the SA's selectors → tx on the clear port.
/// Path MTU (RFC 4301 §8): a packet too big for its SA is fragmented after encryption
/// (rte_ipv4_fragment_packet) or dropped with a rate-limited ICMP "too big" message back out of the
/// clear port, per <see cref="EspSa.PathMtu"/>; TCP SYN MSS options are clamped both ways; outer IPv4
/// fragments from the peer are reassembled (rte_ip_frag) before the SA lookup.
/// </summary>
/// <remarks>
/// One thread polls (<see cref="Poll"/>, or <see cref="RunOnLcore"/>); control calls may come from
/// any thread. They build a new <see cref="EngineTables"/> snapshot, publish it, wait until the
/// poller has passed a quiescent point and only then free what the old snapshot used.
/// </remarks>
public sealed unsafe partial class DpdkEspBackend : IEspBackend, IDisposable
{
    private readonly DpdkEngineOptions options;
    private readonly Lock control = new();
    private readonly DataplaneEventHub events = new();
    private readonly Dictionary<(uint Spi, EspDirection Direction), SaRuntime> sas = [];
    private readonly Dictionary<uint, EspPolicy> policies = [];
    private readonly SaRuntime?[] slots;
    private readonly ulong[] globalDrops = new ulong[DropReasons.Count];
    private readonly BurstScratch scratch;
    private readonly nint sad;
    private readonly int socketId;
    private readonly byte[] clearMac;
    private readonly byte[] cipherMac;
    private readonly byte[] clearNextHop;
    private readonly byte[] cipherNextHop;
    private readonly IcmpRateLimiter icmpLimiter;
    private readonly nint fragmentPool;
    private readonly nint reassemblyTable;
    private readonly nint deathRow;
    private EngineTables tables;
    private long pollGeneration;
    private int polling;
    private int stopRequested;
    private ulong bypassPackets;
    private ulong hostPackets;
    private ulong txDropped;
    private ulong reassembledPackets;
    private bool disposed;

    public DpdkEspBackend(DpdkEngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BurstSize is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BurstSize must be 1..256.");
        }

        if (options.IdleSleepMicroseconds is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "IdleSleepMicroseconds must be 0..1000000.");
        }

        if (options.CipherNextHopMac.Length != 6 || options.ClearNextHopMac.Length != 6)
        {
            throw new ArgumentException("Next-hop Ethernet addresses must be 6 octets.", nameof(options));
        }

        if (options.IcmpErrorsPerSecond < 0 || options.IcmpErrorBurst < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "IcmpErrorsPerSecond must be >= 0 and IcmpErrorBurst >= 1.");
        }

        if (options.ReassemblyFlows is < 1 or > 1 << 20 || options.ReassemblyTimeoutMilliseconds is < 1 or > 60_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ReassemblyFlows must be 1..1048576 and ReassemblyTimeoutMilliseconds 1..60000.");
        }

        this.options = options;
        socketId = Math.Max(0, Eal.SocketId());
        icmpLimiter = new IcmpRateLimiter(options.IcmpErrorsPerSecond, options.IcmpErrorBurst, options.TimeProvider);
        fragmentPool = (options.FragmentPool ?? options.CipherPort.RxPool).DangerousGetHandle();
        slots = new SaRuntime?[options.MaxSas];
        clearMac = options.ClearPort.MacAddress.ToArray();
        cipherMac = options.CipherPort.MacAddress.ToArray();
        clearNextHop = options.ClearNextHopMac.ToArray();
        cipherNextHop = options.CipherNextHopMac.ToArray();
        scratch = new BurstScratch(options.BurstSize);
        var conf = new IpsecSadConf { SocketId = socketId, MaxSaSpiOnly = (uint)options.MaxSas, Flags = 2 /* RW_CONCURRENCY */ };
        sad = Ipsec.SadCreate($"isthmus_sad{Interlocked.Increment(ref sadSequence)}", &conf);
        if (sad == nint.Zero)
        {
            scratch.Dispose();
            throw new DpdkException("rte_ipsec_sad_create", Shim.Errno());
        }

        // Outer IPv4 reassembly (rte_ip_frag): timestamps are Stopwatch ticks, so the timeout is too.
        ulong timeout = (ulong)(options.ReassemblyTimeoutMilliseconds * (Stopwatch.Frequency / 1000.0));
        uint flows = (uint)options.ReassemblyFlows;
        reassemblyTable = IpFrag.TableCreate(flows, ReassemblyBucketEntries, flows, timeout, socketId);
        if (reassemblyTable == nint.Zero)
        {
            Ipsec.SadDestroy(sad);
            scratch.Dispose();
            throw new DpdkException("rte_ip_frag_table_create", Shim.Errno());
        }

        deathRow = (nint)NativeMemory.AllocZeroed(IpFrag.DeathRowSize);
        tables = EngineTables.Empty(socketId);
    }

    /// <summary>Associativity of the reassembly hash (a power of two, as rte_ip_frag wants).</summary>
    private const uint ReassemblyBucketEntries = 16;

    private static int sadSequence;

    public string Name => "dpdk";

    /// <summary>Packets the cipher-side transmit queue refused (port full), freed.</summary>
    public ulong TxDropped => Volatile.Read(ref txDropped);

    public ValueTask<ControlResult> AddSaAsync(EspSa sa, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sa);
        string? invalid = sa.Validate();
        if (invalid is not null)
        {
            return ValueTask.FromResult(ControlResult.Invalid(invalid));
        }

        lock (control)
        {
            if (sas.ContainsKey((sa.Spi, sa.Direction)))
            {
                return ValueTask.FromResult(ControlResult.AlreadyExists($"{sa.Name} exists."));
            }

            return ValueTask.FromResult(Install(sa, previous: null, keepWindow: false));
        }
    }

    public ValueTask<ControlResult> UpdateSaAsync(EspSa sa, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sa);
        string? invalid = sa.Validate();
        if (invalid is not null)
        {
            return ValueTask.FromResult(ControlResult.Invalid(invalid));
        }

        lock (control)
        {
            if (!sas.TryGetValue((sa.Spi, sa.Direction), out SaRuntime? existing))
            {
                return ValueTask.FromResult(ControlResult.NotFound($"{sa.Name} is not installed."));
            }

            EspSa old = existing.Sa;
            bool sameCrypto = old.Encryption == sa.Encryption && old.Integrity == sa.Integrity &&
                old.EncryptionKey.Span.SequenceEqual(sa.EncryptionKey.Span) && old.IntegrityKey.Span.SequenceEqual(sa.IntegrityKey.Span) &&
                old.TunnelSource.Equals(sa.TunnelSource) && old.TunnelDestination.Equals(sa.TunnelDestination) &&
                old.Encapsulation == sa.Encapsulation && old.ReplayWindow == sa.ReplayWindow &&
                old.ExtendedSequenceNumbers == sa.ExtendedSequenceNumbers && old.OuterHopLimit == sa.OuterHopLimit &&
                sa.InitialSequenceNumber is null &&
                IpsecSaHandle.InnerIsIPv6(old, existing.OuterIPv6) == IpsecSaHandle.InnerIsIPv6(sa, existing.OuterIPv6);
            if (sameCrypto)
            {
                existing.Update(sa);
                Publish();
                return ValueTask.FromResult(ControlResult.Ok);
            }

            // A new native SA: keep the counters, carry the sequence state over unless the update sets it.
            bool keepWindow = sa.InitialSequenceNumber is null && sa.ReplayWindow == old.ReplayWindow;
            EspSa carried = sa.InitialSequenceNumber is null ? CopyWithSequence(sa, Volatile.Read(ref existing.HighestSequence)) : sa;
            return ValueTask.FromResult(Install(carried, existing, keepWindow));
        }
    }

    public ValueTask<ControlResult> DeleteSaAsync(uint spi, EspDirection direction, CancellationToken cancellationToken = default)
    {
        lock (control)
        {
            if (!sas.Remove((spi, direction), out SaRuntime? runtime))
            {
                return ValueTask.FromResult(ControlResult.NotFound($"spi 0x{spi:x8} {direction} is not installed."));
            }

            if (direction == EspDirection.Inbound)
            {
                SadDelete(spi);
            }

            slots[runtime.Slot] = null;
            Publish();
            runtime.Dispose();
            return ValueTask.FromResult(ControlResult.Ok);
        }
    }

    public ValueTask<ControlResult> AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        string? invalid = policy.Validate();
        if (invalid is not null)
        {
            return ValueTask.FromResult(ControlResult.Invalid(invalid));
        }

        lock (control)
        {
            if (policies.ContainsKey(policy.Id))
            {
                return ValueTask.FromResult(ControlResult.AlreadyExists($"Policy {policy.Id} exists."));
            }

            policies.Add(policy.Id, policy);
            try
            {
                Publish();
            }
            catch (DpdkException e)
            {
                policies.Remove(policy.Id);
                return ValueTask.FromResult(ControlResult.Failed(e.Message));
            }

            return ValueTask.FromResult(ControlResult.Ok);
        }
    }

    public ValueTask<ControlResult> DeletePolicyAsync(uint policyId, CancellationToken cancellationToken = default)
    {
        lock (control)
        {
            if (!policies.Remove(policyId))
            {
                return ValueTask.FromResult(ControlResult.NotFound($"Policy {policyId} is not installed."));
            }

            Publish();
            return ValueTask.FromResult(ControlResult.Ok);
        }
    }

    public ValueTask<IReadOnlyList<EspSaSummary>> ListSasAsync(CancellationToken cancellationToken = default)
    {
        lock (control)
        {
            IReadOnlyList<EspSaSummary> list = sas.Values
                .OrderBy(s => s.Sa.Direction).ThenBy(s => s.Sa.Spi)
                .Select(s => s.Summary()).ToArray();
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask<IReadOnlyList<EspPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default)
    {
        lock (control)
        {
            IReadOnlyList<EspPolicy> list = Ranked(PolicyDirection.Out).Concat(Ranked(PolicyDirection.In)).ToArray();
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask<CounterSnapshot> GetCountersAsync(CancellationToken cancellationToken = default)
    {
        lock (control)
        {
            var snapshot = new CounterSnapshot(
                sas.Values.OrderBy(s => s.Sa.Direction).ThenBy(s => s.Sa.Spi).Select(s => s.Counters()).ToArray(),
                new DropCounts(globalDrops))
            {
                BypassPackets = Volatile.Read(ref bypassPackets),
                HostPackets = Volatile.Read(ref hostPackets),
                ReassembledPackets = Volatile.Read(ref reassembledPackets),
            };
            return ValueTask.FromResult(snapshot);
        }
    }

    public IAsyncEnumerable<DataplaneEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => events.ReadAllAsync(cancellationToken);

    /// <summary>Asks a loop started with <see cref="RunOnLcore"/> or <see cref="RunUntilStopped"/> to return.</summary>
    public void RequestStop() => Volatile.Write(ref stopRequested, 1);

    /// <summary>
    /// Polls both directions until <see cref="RequestStop"/>, on the calling thread (an EAL lcore or a
    /// registered thread). With <see cref="DpdkEngineOptions.IdleSleepMicroseconds"/> set, the loop
    /// sleeps that long after <see cref="IdlePollsBeforeSleep"/> consecutive empty polls, and spins
    /// again as soon as a poll finds packets.
    /// </summary>
    public void RunUntilStopped()
    {
        uint sleep = (uint)options.IdleSleepMicroseconds;
        int idle = 0;
        while (Volatile.Read(ref stopRequested) == 0)
        {
            if (Poll() != 0)
            {
                idle = 0;
            }
            else if (sleep != 0 && ++idle >= IdlePollsBeforeSleep)
            {
                Eal.DelayUsSleep(sleep);
            }
        }
    }

    /// <summary>Consecutive empty polls after which an idle loop sleeps (when a sleep is configured).</summary>
    public const int IdlePollsBeforeSleep = 64;

    /// <summary>
    /// Starts <see cref="RunUntilStopped"/> on a new thread registered with EAL (rte_thread_register,
    /// so mempool caches work); for processes without a worker lcore. Stop with <see cref="RequestStop"/>
    /// and join the returned thread.
    /// </summary>
    public Thread RunOnRegisteredThread(string name = "isthmus-poll")
    {
        Volatile.Write(ref stopRequested, 0);
        var thread = new Thread(() =>
        {
            if (Eal.ThreadRegister() != 0)
            {
                throw new DpdkException("rte_thread_register", Shim.Errno());
            }

            try
            {
                RunUntilStopped();
            }
            finally
            {
                Eal.ThreadUnregister();
            }
        })
        { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    /// <summary>Starts <see cref="RunUntilStopped"/> on EAL worker lcore <paramref name="lcore"/> (rte_eal_remote_launch); wait with <see cref="WaitLcore"/>.</summary>
    public void RunOnLcore(uint lcore)
    {
        Volatile.Write(ref stopRequested, 0);
        GCHandle self = GCHandle.Alloc(this);
        int rc = Eal.RemoteLaunch(&LcoreMain, GCHandle.ToIntPtr(self), lcore);
        if (rc != 0)
        {
            self.Free();
            throw new DpdkException($"rte_eal_remote_launch(lcore {lcore})", rc);
        }
    }

    /// <summary>Waits for the loop on <paramref name="lcore"/> to return (after <see cref="RequestStop"/>).</summary>
    public static int WaitLcore(uint lcore) => Eal.WaitLcore(lcore);

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops the loop, frees SAs, the SAD and the SPD contexts. The ports, device and pools stay with their owner.</summary>
    public void Dispose()
    {
        lock (control)
        {
            if (disposed)
            {
                return;
            }

            Volatile.Write(ref disposed, true);
            RequestStop();
            EngineTables old = tables;
            tables = EngineTables.Empty(socketId);
            WaitQuiescent();
            old.Dispose();
            foreach (SaRuntime runtime in sas.Values)
            {
                runtime.Dispose();
            }

            sas.Clear();
            Ipsec.SadDestroy(sad);
            IpFrag.FreeDeathRow(deathRow, 0);
            IpFrag.TableDestroy(reassemblyTable);
            NativeMemory.Free((void*)deathRow);
            scratch.Dispose();
            events.Dispose();
        }
    }

    [UnmanagedCallersOnly]
    private static int LcoreMain(nint argument)
    {
        GCHandle self = GCHandle.FromIntPtr(argument);
        try
        {
            ((DpdkEspBackend)self.Target!).RunUntilStopped();
            return 0;
        }
        catch (Exception)
        {
            return -1;
        }
        finally
        {
            self.Free();
        }
    }

    private ControlResult Install(EspSa sa, SaRuntime? previous, bool keepWindow)
    {
        uint slot = previous?.Slot ?? uint.MaxValue;
        if (previous is null)
        {
            for (uint i = 0; i < slots.Length; i++)
            {
                if (slots[i] is null)
                {
                    slot = i;
                    break;
                }
            }

            if (slot == uint.MaxValue)
            {
                return ControlResult.Failed($"The dataplane holds its maximum of {slots.Length} SAs.");
            }
        }

        IpsecSaHandle handle;
        try
        {
            handle = IpsecSaHandle.Create(sa, slot, options.CryptoDevice, options.SessionPool, cipherMac, cipherNextHop);
        }
        catch (DpdkException e)
        {
            return ControlResult.Unsupported($"{sa.Name}: {options.CryptoDevice.Name} or rte_ipsec refused the SA: {e.Message}");
        }

        var runtime = new SaRuntime(sa, slot, handle, keepWindow ? previous!.Replay : null);
        if (previous is not null)
        {
            runtime.Bytes = previous.Bytes;
            runtime.Packets = previous.Packets;
            runtime.SoftExpired = previous.SoftExpired;
            runtime.HardExpired = previous.HardExpired;
            previous.Drops.CopyTo(runtime.Drops, 0);
        }

        if (sa.Direction == EspDirection.Inbound)
        {
            int rc = SadAdd(sa.Spi, runtime.Session);
            if (rc < 0)
            {
                runtime.Dispose();
                return ControlResult.Failed($"rte_ipsec_sad_add for {sa.Name}: {Eal.ErrorText(rc)}");
            }
        }

        sas[(sa.Spi, sa.Direction)] = runtime;
        slots[slot] = runtime;
        Publish();
        previous?.Dispose();
        return ControlResult.Ok;
    }

    private int SadAdd(uint spi, nint session)
    {
        var key = new IpsecSadKey { SpiBigEndian = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(spi) };
        return Ipsec.SadAdd(sad, &key, IpsecConstants.SadKeySpiOnly, session);
    }

    private void SadDelete(uint spi)
    {
        var key = new IpsecSadKey { SpiBigEndian = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(spi) };
        _ = Ipsec.SadDelete(sad, &key, IpsecConstants.SadKeySpiOnly);
    }

    private static EspSa CopyWithSequence(EspSa sa, ulong sequence) => new()
    {
        Spi = sa.Spi,
        Direction = sa.Direction,
        TunnelSource = sa.TunnelSource,
        TunnelDestination = sa.TunnelDestination,
        Encapsulation = sa.Encapsulation,
        Encryption = sa.Encryption,
        EncryptionKey = sa.EncryptionKey,
        Integrity = sa.Integrity,
        IntegrityKey = sa.IntegrityKey,
        ReplayWindow = sa.ReplayWindow,
        ExtendedSequenceNumbers = sa.ExtendedSequenceNumbers,
        Lifetime = sa.Lifetime,
        LocalSelectors = sa.LocalSelectors,
        RemoteSelectors = sa.RemoteSelectors,
        InitialSequenceNumber = sequence,
        DontFragment = sa.DontFragment,
        OuterHopLimit = sa.OuterHopLimit,
        Mtu = sa.Mtu,
        PathMtu = sa.PathMtu,
        ClampTcpMss = sa.ClampTcpMss,
    };

    private IEnumerable<EspPolicy> Ranked(PolicyDirection direction) =>
        policies.Values.Where(p => p.Direction == direction).OrderBy(p => p.Priority).ThenBy(p => p.Id);

    /// <summary>Builds and publishes a new snapshot, then frees the old one after a quiescent point. Caller holds <see cref="control"/>.</summary>
    private void Publish()
    {
        EspPolicy[] outPolicies = Ranked(PolicyDirection.Out).ToArray();
        EspPolicy[] inPolicies = Ranked(PolicyDirection.In).ToArray();
        var outSa = new SaRuntime?[outPolicies.Length];
        for (int i = 0; i < outPolicies.Length; i++)
        {
            if (outPolicies[i].Action == PolicyAction.Protect && sas.TryGetValue((outPolicies[i].Spi, EspDirection.Outbound), out SaRuntime? runtime))
            {
                outSa[i] = runtime;
            }
        }

        var next = new EngineTables((SaRuntime?[])slots.Clone(), outPolicies, outSa, inPolicies, socketId);
        EngineTables old = Interlocked.Exchange(ref tables, next);
        WaitQuiescent();
        old.Dispose();
    }

    /// <summary>Returns once no poll iteration that could have read the previous snapshot is still running.</summary>
    private void WaitQuiescent()
    {
        long generation = Volatile.Read(ref pollGeneration);
        var spin = new SpinWait();
        while (Volatile.Read(ref polling) != 0 && Volatile.Read(ref pollGeneration) == generation)
        {
            spin.SpinOnce();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DropGlobal(nint m, DropReason reason)
    {
        globalDrops[(int)reason]++;
        scratch.Free[scratch.FreeCount++] = m;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void DropOnSa(nint m, DropReason reason, SaRuntime sa)
    {
        sa.Drops[(int)reason]++;
        scratch.Free[scratch.FreeCount++] = m;
    }

    private void RaiseLifetimeEvents(SaRuntime sa)
    {
        if (!sa.SoftExpired &&
            ((sa.SoftBytes != 0 && sa.Bytes >= sa.SoftBytes) || (sa.SoftPackets != 0 && sa.Packets >= sa.SoftPackets)))
        {
            Volatile.Write(ref sa.SoftExpired, true);
            LifetimeKind kind = sa.SoftBytes != 0 && sa.Bytes >= sa.SoftBytes ? LifetimeKind.Bytes : LifetimeKind.Packets;
            events.Publish(new SoftExpireEvent(options.TimeProvider.GetUtcNow(), sa.Sa.Spi, sa.Sa.Direction, kind));
        }

        if (!sa.HardExpired &&
            ((sa.HardBytes != 0 && sa.Bytes >= sa.HardBytes) || (sa.HardPackets != 0 && sa.Packets >= sa.HardPackets)))
        {
            Volatile.Write(ref sa.HardExpired, true);
            LifetimeKind kind = sa.HardBytes != 0 && sa.Bytes >= sa.HardBytes ? LifetimeKind.Bytes : LifetimeKind.Packets;
            events.Publish(new HardExpireEvent(options.TimeProvider.GetUtcNow(), sa.Sa.Spi, sa.Sa.Direction, kind));
        }
    }

    private void RaiseAcquire(EngineTables t, int rank, byte* ip, uint length)
    {
        long now = Environment.TickCount64;
        if (now < t.AcquireNotBefore[rank])
        {
            return;
        }

        t.AcquireNotBefore[rank] = now + options.AcquireIntervalMilliseconds;
        if (!SelectorMatcher.TryReadFlow(ip, length, out PacketTuple flow))
        {
            return;
        }

        var family = flow.IsIPv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork;
        var packetFlow = new PacketFlow(
            IpAddressRange.FromUInt128(flow.Source, family),
            IpAddressRange.FromUInt128(flow.Destination, family),
            flow.Protocol,
            flow.SourcePort,
            flow.DestinationPort);
        events.Publish(new AcquireEvent(options.TimeProvider.GetUtcNow(), t.OutPolicies[rank].Id, packetFlow));
    }
}
