using System.Globalization;
using System.Net;
using System.Text.Json;
using Isthmus.Dataplane.Hosting;
using Isthmus.Dpdk;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>
/// Four namespaces on top of <see cref="NetworkLab"/>: two LAN hosts and two gateways, each gateway running
/// an Isthmus DPDK dataplane between its LAN and the WAN.
/// <code>
///  lanA (la)                gwA (NetworkLab A)                        gwB (NetworkLab B)                 lanB (lb)
///  10.X.101.2 ─veth─ 10.X.101.1  kernel ─route─ tap ═[DPDK]═ af_packet ─WAN veth─ af_packet ═[DPDK]═ tap ─ kernel 10.X.102.1 ─veth─ 10.X.102.2
///                                  (forwards)   clear port        cipher port    cipher port      clear port  (forwards)
/// </code>
/// The WAN addresses 172.31.X.1/.2 are the tunnel endpoints of the SAs only: the gateways' kernels hold no
/// WAN address, so ESP and UDP 4500 reach the dataplanes alone. Each gateway kernel routes the remote LAN
/// into its dataplane's net_tap port through a static neighbour, and forwards what the dataplane decrypts
/// to its LAN host. IPv6 is off everywhere, so no stray neighbour discovery reaches the dataplanes.
/// </summary>
public sealed class DataplaneLab : IAsyncDisposable
{
    /// <summary>Set to 1 to make the tests fail instead of skip when DPDK cannot run (CI=true does the same).</summary>
    public const string RequireDpdkVariable = "ISTHMUS_REQUIRE_DPDK";

    /// <summary>MTU of the LAN links and the taps: leaves room for the ESP/UDP/IP overhead on a 1500-octet WAN.</summary>
    public const int LanMtu = 1400;

    /// <summary>The static next hop the gateway kernels route the remote LAN through (on the tap; any frame sent there reaches the dataplane).</summary>
    private const string TapNextHop = "169.254.0.1";
    private const string TapNextHopMac = "02:00:5e:00:00:01";

    /// <summary>Computed once: probing DPDK loads and frees its libraries, which is not safe from two threads at once.</summary>
    private static readonly Lazy<string?> CannotRunReason = new(ComputeWhyCannotRun, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly List<string> runtimeDirectories = [];

    private DataplaneLab(NetworkLab lab, string lanNamespaceA, string lanNamespaceB)
    {
        Lab = lab;
        LanNamespaceA = lanNamespaceA;
        LanNamespaceB = lanNamespaceB;
        int x = lab.Subnet;
        LanHostA = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{x}.101.2"));
        LanHostB = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{x}.102.2"));
        LanSubnetA = string.Create(CultureInfo.InvariantCulture, $"10.{x}.101.0/24");
        LanSubnetB = string.Create(CultureInfo.InvariantCulture, $"10.{x}.102.0/24");
        GatewayLanA = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{x}.101.1"));
        GatewayLanB = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{x}.102.1"));
        LanLinkA = $"l{lab.Id}a";
        LanLinkB = $"l{lab.Id}b";
        GatewayLinkA = $"g{lab.Id}a";
        GatewayLinkB = $"g{lab.Id}b";
        TapA = $"t{lab.Id}a";
        TapB = $"t{lab.Id}b";
    }

    public NetworkLab Lab { get; }

    public string GatewayNamespaceA => Lab.NamespaceA;

    public string GatewayNamespaceB => Lab.NamespaceB;

    public string LanNamespaceA { get; }

    public string LanNamespaceB { get; }

    public IPAddress LanHostA { get; }

    public IPAddress LanHostB { get; }

    public string LanSubnetA { get; }

    public string LanSubnetB { get; }

    public IPAddress GatewayLanA { get; }

    public IPAddress GatewayLanB { get; }

    /// <summary>Tunnel endpoint of gateway A (the WAN veth carries no kernel address).</summary>
    public IPAddress WanA => Lab.AddressA;

    public IPAddress WanB => Lab.AddressB;

    public string WanLinkA => Lab.InterfaceA;

    public string WanLinkB => Lab.InterfaceB;

    public string LanLinkA { get; }

    public string LanLinkB { get; }

    public string GatewayLinkA { get; }

    public string GatewayLinkB { get; }

    public string TapA { get; }

    public string TapB { get; }

    /// <summary>
    /// Why the lab cannot run here (not root, no namespaces, no DPDK, a missing tool), or null. The network
    /// lab's own checks come first (it also wants strongSwan installed, as scripts/setup.sh does).
    /// </summary>
    public static string? WhyCannotRun() => CannotRunReason.Value;

    private static string? ComputeWhyCannotRun()
    {
        string? reason = NetworkLab.WhyCannotRun() ?? DpdkEnvironment.UnavailableReason();
        if (reason is not null)
        {
            return reason;
        }

        foreach (string tool in new[] { "iperf3", "tcpdump", "ping" })
        {
            if (FindOnPath(tool) is null)
            {
                return $"{tool} is not on PATH: run scripts/setup.sh";
            }
        }

        if (!File.Exists(DataplaneExecutable))
        {
            return $"{DataplaneExecutable} is missing (it is copied here by the project reference on Isthmus.Dataplane)";
        }

        return null;
    }

    /// <summary>Skips the calling test with the reason, or fails it under CI=true, ISTHMUS_REQUIRE_DPDK=1 or ISTHMUS_REQUIRE_NETNS=1.</summary>
    public static void SkipIfCannotRun()
    {
        string? reason = WhyCannotRun();
        if (reason is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable(RequireDpdkVariable) == "1" ||
            Environment.GetEnvironmentVariable(NetworkLab.RequireVariable) == "1")
        {
            Assert.Fail($"the DPDK end-to-end lab is required here but cannot run: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>isthmus-dataplane.dll next to the test assembly.</summary>
    public static string DataplaneExecutable => Path.Combine(AppContext.BaseDirectory, "isthmus-dataplane.dll");

    /// <summary>The dotnet host that runs the tests (DOTNET_HOST_PATH under dotnet test), else "dotnet" on PATH.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    public static async Task<DataplaneLab> CreateAsync(string testName, CancellationToken cancellationToken)
    {
        NetworkLab lab = await NetworkLab.CreateAsync(testName, cancellationToken);
        DataplaneLab? built = null;
        try
        {
            string la = await lab.AddNamespaceAsync("la", cancellationToken);
            string lb = await lab.AddNamespaceAsync("lb", cancellationToken);
            built = new DataplaneLab(lab, la, lb);
            await built.BuildAsync(cancellationToken);
            return built;
        }
        catch
        {
            if (built is not null)
            {
                await built.DisposeAsync();
            }
            else
            {
                await lab.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Runs a command in <paramref name="ns"/> and returns it, failing the test when it does not succeed.</summary>
    public async Task<ProcessResult> RunAsync(string ns, params string[] argv)
    {
        ProcessResult result = await Lab.ExecAsync(ns, argv);
        Assert.True(result.Succeeded, result.Describe());
        return result;
    }

    /// <summary>The Ethernet address of <paramref name="link"/> in <paramref name="ns"/> (from <c>ip -j link</c>).</summary>
    public async Task<byte[]> MacOfAsync(string ns, string link)
    {
        ProcessResult result = await RunAsync(ns, "ip", "-j", "link", "show", "dev", link);
        using JsonDocument json = JsonDocument.Parse(result.StandardOutput);
        string text = json.RootElement[0].GetProperty("address").GetString()!;
        Assert.True(DpdkServeOptions.TryParseMac(text, out byte[] mac), $"{link}: '{text}' is not a MAC address");
        return mac;
    }

    /// <summary>
    /// Starts <c>isthmus-dataplane serve --backend dpdk</c> in gateway namespace <paramref name="ns"/>: clear
    /// port a net_tap named <paramref name="tap"/>, cipher port net_af_packet on <paramref name="wanLink"/>.
    /// Returns once its control socket answers; then routes <paramref name="remoteLan"/> into the tap.
    /// </summary>
    public async Task<DataplaneGateway> StartGatewayAsync(
        string ns, string tap, string wanLink, byte[] cipherNextHopMac, string cryptoDevice, string remoteLan, CancellationToken cancellationToken)
    {
        string name = ns[^1..];
        string socket = Path.Combine(Lab.WorkDirectory, $"gw{name}.sock");
        string filePrefix = $"isthmus-e2e-{Lab.Id}-{name}";
        runtimeDirectories.Add(Path.Combine("/var/run/dpdk", filePrefix));
        int lastCpu = Math.Max(0, Environment.ProcessorCount - 1);
        string cpus = lastCpu == 0 ? "0" : $"0-{lastCpu}";
        string[] argv =
        [
            DotnetHost, DataplaneExecutable, "serve", "--socket", socket, "--backend", "dpdk",
            "--clear-port", "net_tap0", "--cipher-port", "net_af_packet0", "--crypto-device", $"{cryptoDevice}0",
            "--cipher-next-hop-mac", DpdkServeOptions.FormatMac(cipherNextHopMac),
            "--idle-sleep-us", "20",
            "--",
            // Two lcores that float over all CPUs (the test shares the machine), anonymous memory, one
            // runtime directory per gateway (--in-memory needs hugepages); an af_packet ring of 4096 frames
            // (the default 512 overflows under iperf3).
            "--lcores", $"0@({cpus}),1@({cpus})", "--no-huge", "-m", "256", "--file-prefix", filePrefix,
            "--no-pci", "--no-telemetry", "--log-level", "error",
            "--vdev", $"net_tap0,iface={tap}", "--vdev", $"net_af_packet0,iface={wanLink},framecnt=4096", "--vdev", $"{cryptoDevice}0",
        ];
        LabProcess process = Lab.StartProcess(ns, argv);
        var gateway = new DataplaneGateway(ns, socket, process);
        await gateway.WaitUntilServingAsync(TimeSpan.FromSeconds(60), cancellationToken);

        // The tap exists now (the dataplane created it in this namespace): route the remote LAN into it.
        await RunAsync(ns, "ip", "link", "set", "dev", tap, "mtu", LanMtu.ToString(CultureInfo.InvariantCulture), "up");
        await RunAsync(ns, "ip", "neigh", "replace", TapNextHop, "lladdr", TapNextHopMac, "dev", tap, "nud", "permanent");
        await RunAsync(ns, "ip", "route", "replace", remoteLan, "via", TapNextHop, "dev", tap, "onlink");
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Lab.DisposeAsync();
        }
        finally
        {
            foreach (string directory in runtimeDirectories.Where(Directory.Exists))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        string a = GatewayNamespaceA;
        string b = GatewayNamespaceB;
        foreach (string ns in new[] { a, b, LanNamespaceA, LanNamespaceB })
        {
            await RunAsync(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        }

        // The WAN link belongs to the dataplanes: no kernel addresses (NetworkLab put the tunnel endpoints and
        // its LAN prefixes there for IKE tests), and no forwarding of what arrives on it.
        await RunAsync(a, "ip", "addr", "flush", "dev", WanLinkA);
        await RunAsync(b, "ip", "addr", "flush", "dev", WanLinkB);
        await RunAsync(a, "ip", "addr", "del", $"{Lab.LanA}/24", "dev", "lo");
        await RunAsync(b, "ip", "addr", "del", $"{Lab.LanB}/24", "dev", "lo");
        foreach ((string ns, string wan) in new[] { (a, WanLinkA), (b, WanLinkB) })
        {
            await RunAsync(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            await RunAsync(ns, "sysctl", "-q", "-w", $"net.ipv4.conf.{wan}.forwarding=0");
        }

        await LinkLanAsync(LanNamespaceA, LanLinkA, LanHostA, a, GatewayLinkA, GatewayLanA, cancellationToken);
        await LinkLanAsync(LanNamespaceB, LanLinkB, LanHostB, b, GatewayLinkB, GatewayLanB, cancellationToken);
    }

    private async Task LinkLanAsync(string lanNs, string lanLink, IPAddress host, string gatewayNs, string gatewayLink, IPAddress gateway, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        string mtu = LanMtu.ToString(CultureInfo.InvariantCulture);
        await RunAsync(lanNs, "ip", "link", "add", lanLink, "type", "veth", "peer", "name", gatewayLink, "netns", gatewayNs);
        await RunAsync(lanNs, "ip", "addr", "add", $"{host}/24", "dev", lanLink);
        await RunAsync(lanNs, "ip", "link", "set", "dev", lanLink, "mtu", mtu, "up");
        await RunAsync(lanNs, "ip", "route", "add", "default", "via", gateway.ToString());
        await RunAsync(gatewayNs, "ip", "addr", "add", $"{gateway}/24", "dev", gatewayLink);
        await RunAsync(gatewayNs, "ip", "link", "set", "dev", gatewayLink, "mtu", mtu, "up");
    }
}
