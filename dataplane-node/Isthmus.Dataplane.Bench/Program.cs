using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Isthmus.Dataplane.Bench;
using Isthmus.Dpdk;
using Isthmus.Dpdk.Engine;
using Isthmus.Esp;

// The Isthmus dataplane benchmark entry point: one SA, IPv4 tunnel, AES-GCM, polling on the main
// lcore over the harness EAL is given (pcap -> engine -> null port). Prints
// "RESULT pps=<float> packets=<int> seconds=<float> cpu=<float>" as its last line.
BenchOptions? options = BenchOptions.Parse(args, out string? error);
if (options is null)
{
    Console.Error.WriteLine(BenchOptions.Usage);
    Console.WriteLine($"error: {error}");
    return 2;
}

try
{
    return Run(options);
}
catch (DpdkException e)
{
    Console.WriteLine($"error: {e.Message}");
    return 1;
}

static int Run(BenchOptions options)
{
    string? unavailable = DpdkEnvironment.UnavailableReason();
    if (unavailable is not null)
    {
        Console.WriteLine($"error: {unavailable}");
        return 1;
    }

    DpdkEnvironment.Initialize(options.EalArguments);
    using var packets = MempoolHandle.CreatePacketPool("bench_mbufs", 16383, 256);
    using var ops = MempoolHandle.CreateCryptoOpPool("bench_ops", 8191, 256);
    using var crypto = CryptoDevice.Open((byte)0);
    using var sessions = MempoolHandle.CreateSessionPool("bench_sessions", crypto, 64);
    crypto.Start(sessions);
    using var rx = EthPort.Open(options.RxPort, packets);
    using var tx = EthPort.Open(options.TxPort, packets);

    EthPort clear = options.Outbound ? rx : tx;
    EthPort cipher = options.Outbound ? tx : rx;
    using var backend = new DpdkEspBackend(new DpdkEngineOptions
    {
        ClearPort = clear,
        CipherPort = cipher,
        CryptoDevice = crypto,
        SessionPool = sessions,
        CryptoOpPool = ops,
        CipherNextHopMac = options.NextHopMac,
        ClearNextHopMac = options.NextHopMac,
        BurstSize = options.Burst,
    });

    EspSa sa = new()
    {
        Spi = options.Spi,
        Direction = options.Outbound ? EspDirection.Outbound : EspDirection.Inbound,
        TunnelSource = options.Outbound ? options.LocalTunnel : options.RemoteTunnel,
        TunnelDestination = options.Outbound ? options.RemoteTunnel : options.LocalTunnel,
        Encryption = options.Aead,
        EncryptionKey = options.Key,
        ReplayWindow = options.ReplayWindow,
        LocalSelectors = [EspTrafficSelector.For(options.LocalNet)],
        RemoteSelectors = [EspTrafficSelector.For(options.RemoteNet)],
    };
    ControlResult added = backend.AddSaAsync(sa).AsTask().GetAwaiter().GetResult();
    if (!added.IsOk)
    {
        Console.WriteLine($"error: {added}");
        return 1;
    }

    if (options.Outbound)
    {
        var policy = new EspPolicy(1, PolicyDirection.Out, EspPolicySelector.Between(options.LocalNet, options.RemoteNet), PolicyAction.Protect, options.Spi, 1);
        ControlResult policyAdded = backend.AddPolicyAsync(policy).AsTask().GetAwaiter().GetResult();
        if (!policyAdded.IsOk)
        {
            Console.WriteLine($"error: {policyAdded}");
            return 1;
        }
    }

    bool interrupted = false;
    void Stop(PosixSignalContext context)
    {
        context.Cancel = true;
        interrupted = true;
        backend.RequestStop();
    }

    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

    // The measuring thread: after the warm-up, the transmitted-packet delta on the tx port over --seconds.
    ulong measured = 0;
    double elapsed = 0;
    double cpu = 0;
    var measurer = new Thread(() =>
    {
        Thread.Sleep(TimeSpan.FromSeconds(options.Warmup));
        if (interrupted)
        {
            return;
        }

        Process self = Process.GetCurrentProcess();
        ulong before = tx.ReadStatistics().TxPackets;
        TimeSpan cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
        ulong after = tx.ReadStatistics().TxPackets;
        elapsed = clock.Elapsed.TotalSeconds;
        self.Refresh();
        cpu = (self.TotalProcessorTime - cpuBefore).TotalSeconds;
        measured = after - before;
        backend.RequestStop();
    })
    { IsBackground = true, Name = "bench-measure" };
    measurer.Start();

    // Poll on the main lcore: the thread that called rte_eal_init.
    backend.RunUntilStopped();
    measurer.Join();
    if (interrupted)
    {
        return 0;
    }

    CounterSnapshot counters = backend.GetCountersAsync().AsTask().GetAwaiter().GetResult();
    SaCounters saCounters = counters.Sas[0];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"isthmus {(options.Outbound ? "outbound" : "inbound")}: {measured / elapsed / 1e6:F3} Mpps over {elapsed:F2} s; SA packets {saCounters.Packets}, drops {saCounters.Drops.Total} ({saCounters.Drops}), global drops {counters.GlobalDrops.Total} ({counters.GlobalDrops}), tx refused {backend.TxDropped}"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT pps={measured / elapsed:F1} packets={measured} seconds={elapsed:F3} cpu={cpu:F3}"));
    return 0;
}
