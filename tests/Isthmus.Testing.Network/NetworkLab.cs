using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace Isthmus.Testing.Network;

/// <summary>
/// Two network namespaces joined by a veth pair, for running an IKE peer on each side.
/// <code>
///   NamespaceA                                   NamespaceB
///   lo: LanA (10.X.1.1/24)                       lo: LanB (10.X.2.1/24)
///   InterfaceA: AddressA (172.31.X.1/24) ─veth─ InterfaceB: AddressB (172.31.X.2/24)
/// </code>
/// Names are <c>isth-&lt;6 hex&gt;-a</c>/<c>-b</c>; X is random per lab. Disposing stops every process the lab
/// started (by PID and process group) and deletes both namespaces. A lab left behind by a crashed test host
/// is removed by the next <see cref="CreateAsync"/>.
/// </summary>
public sealed class NetworkLab : IAsyncDisposable
{
    /// <summary>Set to 1 to keep lab directories (logs, configs) after dispose, for debugging.</summary>
    public const string KeepFilesVariable = "ISTHMUS_KEEP_LABS";

    /// <summary>Set to 1 to make <see cref="SkipIfCannotRun"/> fail instead of skip (CI sets it).</summary>
    public const string RequireVariable = "ISTHMUS_REQUIRE_NETNS";

    /// <summary>Where Debian installs the IKE daemon.</summary>
    public const string CharonPath = "/usr/lib/ipsec/charon";

    private static readonly Lazy<string?> CannotRunReason = new(ComputeWhyCannotRun);

    private readonly List<LabProcess> _processes = [];
    private readonly object _processesLock = new();
    private readonly List<string> _createdNamespaces = [];
    private int _disposed;

    private NetworkLab(string testName, string id, int subnet, string workDirectory)
    {
        TestName = testName;
        Id = id;
        Subnet = subnet;
        WorkDirectory = workDirectory;
        NamespaceA = $"isth-{id}-a";
        NamespaceB = $"isth-{id}-b";
        InterfaceA = $"v{id}a";
        InterfaceB = $"v{id}b";
        AddressA = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"172.31.{subnet}.1"));
        AddressB = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"172.31.{subnet}.2"));
        LanA = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{subnet}.1.1"));
        LanB = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"10.{subnet}.2.1"));
        LanSubnetA = string.Create(CultureInfo.InvariantCulture, $"10.{subnet}.1.0/24");
        LanSubnetB = string.Create(CultureInfo.InvariantCulture, $"10.{subnet}.2.0/24");
    }

    /// <summary>The test that created the lab (for diagnostics).</summary>
    public string TestName { get; }

    /// <summary>Six lowercase hex digits unique to this lab.</summary>
    public string Id { get; }

    /// <summary>The random X in 172.31.X.0/24 and 10.X.0.0/16.</summary>
    public int Subnet { get; }

    /// <summary>A directory private to this lab (daemon configs, logs). Deleted on dispose unless <see cref="KeepFilesVariable"/> is 1.</summary>
    public string WorkDirectory { get; }

    /// <summary>Namespace of site A, e.g. <c>isth-1a2b3c-a</c>.</summary>
    public string NamespaceA { get; }

    /// <summary>Namespace of site B.</summary>
    public string NamespaceB { get; }

    /// <summary>Veth end in <see cref="NamespaceA"/>.</summary>
    public string InterfaceA { get; }

    /// <summary>Veth end in <see cref="NamespaceB"/>.</summary>
    public string InterfaceB { get; }

    /// <summary>Outer (IKE/ESP) address of site A, 172.31.X.1/24.</summary>
    public IPAddress AddressA { get; }

    /// <summary>Outer (IKE/ESP) address of site B, 172.31.X.2/24.</summary>
    public IPAddress AddressB { get; }

    /// <summary>Prefix length of the veth link (24).</summary>
    public int LinkPrefixLength => 24;

    /// <summary>A LAN host address of site A, 10.X.1.1 (on lo; the whole <see cref="LanSubnetA"/> is local).</summary>
    public IPAddress LanA { get; }

    /// <summary>A LAN host address of site B, 10.X.2.1.</summary>
    public IPAddress LanB { get; }

    /// <summary>Site A's LAN, 10.X.1.0/24, for traffic selectors.</summary>
    public string LanSubnetA { get; }

    /// <summary>Site B's LAN, 10.X.2.0/24.</summary>
    public string LanSubnetB { get; }

    /// <summary>
    /// Why namespace tests cannot run on this machine (not Linux, not root, no <c>ip netns</c>, no TUN device,
    /// no charon or swanctl), or null when they can.
    /// </summary>
    public static string? WhyCannotRun() => CannotRunReason.Value;

    /// <summary>
    /// Skips the calling test with the reason from <see cref="WhyCannotRun"/>, or fails it instead when the
    /// environment variable <see cref="RequireVariable"/> is 1 (so CI cannot silently skip the interop suite).
    /// </summary>
    public static void SkipIfCannotRun()
    {
        string? reason = WhyCannotRun();
        if (reason is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"{RequireVariable}=1 but namespace tests cannot run: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>Creates the two namespaces, the veth pair and the addresses. Throws if any step fails (after cleaning up).</summary>
    public static async Task<NetworkLab> CreateAsync(string testName, CancellationToken cancellationToken = default)
    {
        string? reason = WhyCannotRun();
        if (reason is not null)
        {
            throw new InvalidOperationException($"Network lab unavailable: {reason}");
        }

        await LabRegistry.SweepOrphansAsync(cancellationToken).ConfigureAwait(false);

        string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        int subnet = RandomNumberGenerator.GetInt32(1, 255);
        string workDirectory = LabRegistry.CreateLabDirectory(id, [$"isth-{id}-a", $"isth-{id}-b"]);
        var lab = new NetworkLab(testName, id, subnet, workDirectory);
        try
        {
            await lab.BuildAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lab.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return lab;
    }

    /// <summary>Runs <c>ip netns exec <paramref name="ns"/> argv...</c> with a 30 s timeout.</summary>
    public Task<ProcessResult> ExecAsync(string ns, params string[] argv) => ExecAsync(ns, LabCommandOptions.Default, argv);

    /// <summary>Runs <c>ip netns exec <paramref name="ns"/> argv...</c> with the given timeout.</summary>
    public Task<ProcessResult> ExecAsync(string ns, TimeSpan timeout, params string[] argv) =>
        ExecAsync(ns, LabCommandOptions.Default with { Timeout = timeout }, argv);

    /// <summary>
    /// Runs <c>ip netns exec <paramref name="ns"/> argv...</c>, capturing output. A command still running at the
    /// timeout is killed (by PID, with its descendants) and reported with <see cref="ProcessResult.TimedOut"/>.
    /// </summary>
    public Task<ProcessResult> ExecAsync(string ns, LabCommandOptions options, params string[] argv)
    {
        ThrowIfForeign(ns);
        return ProcessRunner.RunAsync(InNamespace(ns, argv, newSession: false), options.Environment, options.Timeout, CancellationToken.None);
    }

    /// <summary>Starts a long-running <c>ip netns exec <paramref name="ns"/> argv...</c> under <c>setsid</c>, tracked for dispose.</summary>
    public LabProcess StartProcess(string ns, params string[] argv) => StartProcess(ns, LabCommandOptions.Default, argv);

    /// <summary>Starts a long-running process in <paramref name="ns"/>; it is stopped by PID when the lab is disposed.</summary>
    public LabProcess StartProcess(string ns, LabCommandOptions options, params string[] argv)
    {
        ThrowIfForeign(ns);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        LabProcess process = LabProcess.Start(ns, InNamespace(ns, argv, options.NewSession), options.Environment, options.NewSession);
        LabRegistry.RecordProcess(WorkDirectory, process.Pid, process.StartTime);
        lock (_processesLock)
        {
            _processes.Add(process);
        }

        return process;
    }

    /// <summary>
    /// Adds a third namespace <c>isth-&lt;id&gt;-&lt;suffix&gt;</c> (with lo up), for example a NAT router, deleted
    /// with the lab. Links and addresses are the caller's job (<see cref="ExecAsync(string, string[])"/> works on it).
    /// </summary>
    public async Task<string> AddNamespaceAsync(string suffix, CancellationToken cancellationToken = default)
    {
        ValidateSuffix(suffix);
        string ns = $"isth-{Id}-{suffix}";
        LabRegistry.RecordNamespace(WorkDirectory, ns);
        await IpAsync(cancellationToken, "netns", "add", ns).ConfigureAwait(false);
        lock (_processesLock)
        {
            _createdNamespaces.Add(ns);
        }

        await IpAsync(cancellationToken, "-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
        return ns;
    }

    /// <summary>
    /// Names the network namespace of process <paramref name="pid"/> (for example a container's first process)
    /// <c>isth-&lt;id&gt;-&lt;suffix&gt;</c> with <c>ip netns attach</c>, so that the lab can move links into it and run
    /// commands there like in its own namespaces. Disposing the lab removes only the name: the namespace belongs to
    /// the process and goes with it. <paramref name="pid"/> must be visible in this process's PID namespace.
    /// </summary>
    public async Task<string> AdoptNamespaceAsync(string suffix, int pid, CancellationToken cancellationToken = default)
    {
        ValidateSuffix(suffix);
        if (pid <= 1 || !File.Exists($"/proc/{pid}/ns/net"))
        {
            throw new ArgumentException(
                $"process {pid} is not visible here (/proc/{pid}/ns/net): a container's process needs a PID namespace shared with the host (--pid=host) to be adopted from inside another container",
                nameof(pid));
        }

        string ns = $"isth-{Id}-{suffix}";
        LabRegistry.RecordNamespace(WorkDirectory, ns);
        await IpAsync(cancellationToken, "netns", "attach", ns, pid.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
        lock (_processesLock)
        {
            _createdNamespaces.Add(ns);
        }

        return ns;
    }

    /// <summary>Moves link <paramref name="link"/> from lab namespace <paramref name="from"/> into lab namespace <paramref name="to"/> (its addresses stay behind).</summary>
    public async Task MoveLinkAsync(string link, string from, string to, CancellationToken cancellationToken = default)
    {
        ThrowIfForeign(from);
        ThrowIfForeign(to);
        await IpAsync(cancellationToken, "-n", from, "link", "set", link, "netns", to).ConfigureAwait(false);
    }

    /// <summary>Creates (if needed) and returns a subdirectory of <see cref="WorkDirectory"/>.</summary>
    public string CreateDirectory(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' is not a plain directory name.", nameof(name));
        }

        return Directory.CreateDirectory(Path.Combine(WorkDirectory, name)).FullName;
    }

    /// <summary>Stops every process this lab started, deletes both namespaces and the work directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        LabProcess[] processes;
        lock (_processesLock)
        {
            processes = [.. _processes];
        }

        await Task.WhenAll(processes.Select(p => p.StopAsync())).ConfigureAwait(false);

        string[] namespaces;
        lock (_processesLock)
        {
            namespaces = [.. _createdNamespaces];
        }

        var failures = new List<string>();
        foreach (string ns in namespaces)
        {
            ProcessResult result = await ProcessRunner.RunAsync(["ip", "netns", "del", ns], null, TimeSpan.FromSeconds(10), CancellationToken.None)
                .ConfigureAwait(false);
            if (!result.Succeeded)
            {
                failures.Add(result.Describe());
            }
        }

        LabRegistry.Release(WorkDirectory, keepFiles: Environment.GetEnvironmentVariable(KeepFilesVariable) == "1");
        if (failures.Count > 0)
        {
            throw new InvalidOperationException($"Network lab {Id} cleanup failed:\n{string.Join('\n', failures)}");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"lab {Id} ({TestName}): {NamespaceA} {AddressA} <-> {NamespaceB} {AddressB}";

    private static string[] InNamespace(string ns, string[] argv, bool newSession)
    {
        if (argv.Length == 0)
        {
            throw new ArgumentException("A command needs at least a program name.", nameof(argv));
        }

        string[] prefix = newSession ? ["setsid", "ip", "netns", "exec", ns] : ["ip", "netns", "exec", ns];
        return [.. prefix, .. argv];
    }

    private static string? ComputeWhyCannotRun()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces need Linux";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "network namespace tests need root (ip netns add)";
        }

        if (!File.Exists("/dev/net/tun"))
        {
            return "/dev/net/tun is missing (strongSwan's kernel-libipsec needs a TUN device)";
        }

        if (!File.Exists(CharonPath))
        {
            return $"{CharonPath} is missing: run scripts/setup.sh (strongswan-charon)";
        }

        foreach ((string program, string package) in new[]
        {
            ("ip", "iproute2"), ("swanctl", "strongswan-swanctl"), ("setsid", "util-linux"), ("unshare", "util-linux"), ("ping", "iputils-ping"),
        })
        {
            if (FindOnPath(program) is null)
            {
                return $"{program} is not on PATH: run scripts/setup.sh ({package})";
            }
        }

        ProcessResult netns = ProcessRunner.RunAsync(["ip", "netns", "list"], null, TimeSpan.FromSeconds(10), CancellationToken.None)
            .GetAwaiter().GetResult();
        if (!netns.Succeeded)
        {
            return $"`ip netns` is unavailable: {netns.StandardError.Trim()}";
        }

        return null;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private async Task BuildAsync(CancellationToken cancellationToken)
    {
        foreach (string ns in new[] { NamespaceA, NamespaceB })
        {
            await IpAsync(cancellationToken, "netns", "add", ns).ConfigureAwait(false);
            lock (_processesLock)
            {
                _createdNamespaces.Add(ns);
            }

            await IpAsync(cancellationToken, "-n", ns, "link", "set", "lo", "up").ConfigureAwait(false);
        }

        await IpAsync(cancellationToken, "link", "add", InterfaceA, "netns", NamespaceA, "type", "veth", "peer", "name", InterfaceB, "netns", NamespaceB)
            .ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceA, "addr", "add", $"{AddressA}/{LinkPrefixLength}", "dev", InterfaceA).ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceB, "addr", "add", $"{AddressB}/{LinkPrefixLength}", "dev", InterfaceB).ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceA, "addr", "add", $"{LanA}/24", "dev", "lo").ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceB, "addr", "add", $"{LanB}/24", "dev", "lo").ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceA, "link", "set", InterfaceA, "up").ConfigureAwait(false);
        await IpAsync(cancellationToken, "-n", NamespaceB, "link", "set", InterfaceB, "up").ConfigureAwait(false);
    }

    private static async Task IpAsync(CancellationToken cancellationToken, params string[] args)
    {
        ProcessResult result = await ProcessRunner.RunAsync(["ip", .. args], null, TimeSpan.FromSeconds(15), cancellationToken).ConfigureAwait(false);
        result.EnsureSuccess();
    }

    private static void ValidateSuffix(string suffix)
    {
        if (suffix.Length is < 1 or > 2 || !suffix.All(char.IsAsciiLetterOrDigit) || suffix is "a" or "b")
        {
            throw new ArgumentException("The suffix must be one or two ASCII letters or digits other than 'a' and 'b'.", nameof(suffix));
        }
    }

    private void ThrowIfForeign(string ns)
    {
        bool known;
        lock (_processesLock)
        {
            known = _createdNamespaces.Contains(ns);
        }

        if (!known)
        {
            throw new ArgumentException($"'{ns}' is not a namespace of lab {Id}.", nameof(ns));
        }
    }
}
