using Isthmus.Dpdk;
using Isthmus.Dpdk.Engine;
using Isthmus.Esp;

namespace Isthmus.Dataplane.Hosting;

/// <summary>
/// The DPDK backend of <c>isthmus-dataplane serve</c>: initialises EAL, opens the pools, the crypto
/// device and the ports named in <see cref="DpdkServeOptions"/>, runs <see cref="DpdkEspBackend"/>'s
/// poll loop on an EAL worker lcore (or a registered thread) and serves the control API from it.
/// Disposing stops the loop, then frees the engine, the device, the ports and the pools, in that order.
/// </summary>
public sealed class DpdkDataplane : IEspBackend
{
    private readonly DpdkEspBackend engine;
    private readonly Stack<IDisposable> owned;
    private readonly uint? lcore;
    private readonly Thread? thread;
    private readonly EthPort[] ports;
    private readonly ILogger logger;
    private int disposed;

    private DpdkDataplane(DpdkEspBackend engine, Stack<IDisposable> owned, uint? lcore, Thread? thread, EthPort[] ports, ILogger logger)
    {
        this.engine = engine;
        this.owned = owned;
        this.lcore = lcore;
        this.thread = thread;
        this.ports = ports;
        this.logger = logger;
    }

    public string Name => engine.Name;

    /// <summary>Registers the DPDK backend (<c>--backend dpdk</c>) with its options on <paramref name="factory"/>.</summary>
    public static BackendFactory Register(BackendFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory.Register("dpdk", Create, DpdkServeOptions.Names);
    }

    /// <summary>Starts the DPDK dataplane from the <c>serve</c> settings; throws <see cref="BackendStartException"/> with the reason when it cannot.</summary>
    public static DpdkDataplane Create(BackendOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DpdkServeOptions serve = DpdkServeOptions.Parse(options.Settings, options.PassThrough, out string error)
            ?? throw new BackendStartException(error);
        return Start(serve, options.LoggerFactory.CreateLogger("isthmus-dataplane.dpdk"));
    }

    /// <summary>Starts the DPDK dataplane; throws <see cref="BackendStartException"/> with the reason when it cannot.</summary>
    public static DpdkDataplane Start(DpdkServeOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        string? unavailable = DpdkEnvironment.UnavailableReason();
        if (unavailable is not null)
        {
            throw new BackendStartException($"DPDK is unavailable: {unavailable}");
        }

        var owned = new Stack<IDisposable>();
        try
        {
            DpdkEnvironment.Initialize(options.EalArguments);
            uint? lcore = options.Lcore;
            IReadOnlyList<uint> workers = DpdkEnvironment.WorkerLcores();
            if (lcore is { } chosen && !workers.Contains(chosen))
            {
                throw new BackendStartException($"--lcore {chosen} is not an EAL worker lcore (workers: {(workers.Count == 0 ? "none" : string.Join(',', workers))}; give EAL -l with at least two lcores)");
            }

            lcore ??= workers.Count > 0 ? workers[0] : null;

            var packets = Own(owned, MempoolHandle.CreatePacketPool("isthmus_mbufs", options.Mbufs, 256));
            var ops = Own(owned, MempoolHandle.CreateCryptoOpPool("isthmus_ops", 8191, 256));
            // The device stops before its session pool is freed: the pool goes on the stack first.
            var crypto = CryptoDevice.Open(options.CryptoDevice);
            MempoolHandle sessions;
            try
            {
                sessions = Own(owned, MempoolHandle.CreateSessionPool("isthmus_sessions", crypto, (uint)options.MaxSas));
            }
            catch
            {
                crypto.Dispose();
                throw;
            }

            Own(owned, crypto);
            crypto.Start(sessions);
            var clear = Own(owned, OpenPort(options.ClearPort, packets));
            var cipher = Own(owned, OpenPort(options.CipherPort, packets));
            EthPort? host = options.HostPort is null ? null : Own(owned, OpenPort(options.HostPort, packets));
            byte[] clearNextHop = options.ClearNextHopMac ?? clear.MacAddress.ToArray();
            var engine = Own(owned, new DpdkEspBackend(new DpdkEngineOptions
            {
                ClearPort = clear,
                CipherPort = cipher,
                HostPort = host,
                CryptoDevice = crypto,
                SessionPool = sessions,
                CryptoOpPool = ops,
                CipherNextHopMac = options.CipherNextHopMac,
                ClearNextHopMac = clearNextHop,
                BurstSize = options.Burst,
                MaxSas = options.MaxSas,
                IdleSleepMicroseconds = options.IdleSleepMicroseconds,
            }));

            Thread? thread = null;
            if (lcore is { } worker)
            {
                engine.RunOnLcore(worker);
            }
            else
            {
                thread = engine.RunOnRegisteredThread();
            }

            EthPort[] ports = host is null ? [clear, cipher] : [clear, cipher, host];
            logger.LogInformation(
                "dpdk: clear port {Clear} ({ClearMac}, next hop {ClearNextHop}), cipher port {Cipher} ({CipherMac}, next hop {CipherNextHop}), host port {Host}, crypto {Crypto}, polling on {Where}, idle sleep {Idle} us",
                Describe(clear), DpdkServeOptions.FormatMac(clear.MacAddress.Span), DpdkServeOptions.FormatMac(clearNextHop),
                Describe(cipher), DpdkServeOptions.FormatMac(cipher.MacAddress.Span), DpdkServeOptions.FormatMac(options.CipherNextHopMac),
                host is null ? "none" : Describe(host), crypto.Name,
                lcore is { } l ? $"lcore {l}" : "a registered thread", options.IdleSleepMicroseconds);
            return new DpdkDataplane(engine, owned, lcore, thread, ports, logger);
        }
        catch (Exception e) when (e is DpdkException or ArgumentException)
        {
            DisposeAll(owned);
            throw new BackendStartException($"the DPDK dataplane cannot start: {e.Message}", e);
        }
        catch
        {
            DisposeAll(owned);
            throw;
        }
    }

    public ValueTask<ControlResult> AddSaAsync(EspSa sa, CancellationToken cancellationToken = default) => engine.AddSaAsync(sa, cancellationToken);

    public ValueTask<ControlResult> UpdateSaAsync(EspSa sa, CancellationToken cancellationToken = default) => engine.UpdateSaAsync(sa, cancellationToken);

    public ValueTask<ControlResult> DeleteSaAsync(uint spi, EspDirection direction, CancellationToken cancellationToken = default) =>
        engine.DeleteSaAsync(spi, direction, cancellationToken);

    public ValueTask<ControlResult> AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken = default) => engine.AddPolicyAsync(policy, cancellationToken);

    public ValueTask<ControlResult> DeletePolicyAsync(uint policyId, CancellationToken cancellationToken = default) =>
        engine.DeletePolicyAsync(policyId, cancellationToken);

    public ValueTask<IReadOnlyList<EspSaSummary>> ListSasAsync(CancellationToken cancellationToken = default) => engine.ListSasAsync(cancellationToken);

    public ValueTask<IReadOnlyList<EspPolicy>> ListPoliciesAsync(CancellationToken cancellationToken = default) => engine.ListPoliciesAsync(cancellationToken);

    public ValueTask<CounterSnapshot> GetCountersAsync(CancellationToken cancellationToken = default) => engine.GetCountersAsync(cancellationToken);

    public IAsyncEnumerable<DataplaneEvent> ReadEventsAsync(CancellationToken cancellationToken = default) => engine.ReadEventsAsync(cancellationToken);

    /// <summary>Stops the poll loop and frees everything in reverse order of creation.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        engine.RequestStop();
        if (lcore is { } worker)
        {
            _ = DpdkEspBackend.WaitLcore(worker);
        }
        else
        {
            thread?.Join();
        }

        foreach (EthPort port in ports)
        {
            try
            {
                PortStatistics stats = port.ReadStatistics();
                logger.LogInformation("dpdk: port {Port}: rx {RxPackets} packets ({RxBytes} bytes, {RxMissed} missed), tx {TxPackets} packets ({TxBytes} bytes)",
                    Describe(port), stats.RxPackets, stats.RxBytes, stats.RxMissed, stats.TxPackets, stats.TxBytes);
            }
            catch (DpdkException e)
            {
                logger.LogWarning("dpdk: port {Port}: no statistics: {Reason}", Describe(port), e.Message);
            }
        }

        DisposeAll(owned);
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens a port by ethdev name or by port number.</summary>
    private static EthPort OpenPort(string name, MempoolHandle pool) =>
        ushort.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ushort portId)
            ? EthPort.Open(portId, pool)
            : EthPort.Open(name, pool);

    private static string Describe(EthPort port) => $"{port.Name} (port {port.PortId})";

    private static T Own<T>(Stack<IDisposable> owned, T item)
        where T : IDisposable
    {
        owned.Push(item);
        return item;
    }

    private static void DisposeAll(Stack<IDisposable> owned)
    {
        while (owned.TryPop(out IDisposable? item))
        {
            item.Dispose();
        }
    }
}
