using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Isthmus.IkeDaemon.Control;
using Isthmus.Testing;
using Isthmus.Testing.Network;

namespace Isthmus.Interop.Tests;

/// <summary>
/// A real `isthmus-iked` process in a lab namespace, started from the build output and stopped
/// by its PID. Its SAs are read through its control socket, its keys from its --debug-keys log.
/// </summary>
public sealed partial class IsthmusDaemon : IAsyncDisposable
{
    private readonly LabProcess _process;

    private IsthmusDaemon(LabProcess process, string controlSocket)
    {
        _process = process;
        ControlSocket = controlSocket;
    }

    public string ControlSocket { get; }
    public string Log => _process.Output;
    public bool HasExited => _process.HasExited;

    public static IsthmusDaemon Start(NetworkLab lab, string ns, string manifests, IPAddress listen, params string[] extraArgs)
    {
        var dir = lab.CreateDirectory($"isthmus-{ns}");
        var config = Path.Combine(dir, "tunnels.yaml");
        File.WriteAllText(config, manifests);
        var control = Path.Combine(dir, "iked.sock");
        var dll = DaemonDll();
        string[] argv = [DotnetHost(), dll, "run", "--config", config, "--listen", listen.ToString(),
            "--control", control, "--debug-keys", "--retransmit-timeout", "1", "--retransmit-tries", "3", .. extraArgs];
        var process = lab.StartProcess(ns, argv);
        return new IsthmusDaemon(process, control);
    }

    /// <summary>
    /// The daemon from its own build output (same configuration as this test assembly), so it runs with
    /// exactly its own dependencies rather than the test's.
    /// </summary>
    public static string DaemonDll() => RepositoryPaths.ProjectOutput("dataplane-node/Isthmus.IkeDaemon", "isthmus-iked.dll");

    public static string DotnetHost()
    {
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    public async Task<DaemonSnapshot> ListSasAsync()
    {
        var json = await ControlServer.RequestAsync(ControlSocket, "list-sas");
        return JsonSerializer.Deserialize<DaemonSnapshot>(json, ControlServer.Json)!;
    }

    /// <summary>Polls the control socket until an IKE SA matches, failing with the daemon's log otherwise.</summary>
    public async Task<IkeSaSnapshot> WaitForAsync(Func<IkeSaSnapshot, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        DaemonSnapshot? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"isthmus-iked exited ({_process.ExitCode}):\n{Log}");
            try
            {
                last = await ListSasAsync();
                if (last.Sas.FirstOrDefault(predicate) is { } match) return match;
            }
            catch (System.Net.Sockets.SocketException) { /* not listening yet */ }
            await Task.Delay(100);
        }
        throw new TimeoutException($"no matching Isthmus SA after {timeout.TotalSeconds:0}s; saw {last?.Sas.Count ?? 0} SA(s). Log:\n{Log}");
    }

    /// <summary>Child SA keys from the KEYS lines of the log, by our inbound SPI.</summary>
    public IReadOnlyDictionary<string, (string EncrI, string IntegI, string EncrR, string IntegR)> ChildKeys()
    {
        var result = new Dictionary<string, (string, string, string, string)>();
        foreach (Match m in ChildKeyLine().Matches(Log))
            result[m.Groups["in"].Value] = (m.Groups["ei"].Value, m.Groups["ii"].Value, m.Groups["er"].Value, m.Groups["ir"].Value);
        return result;
    }

    [GeneratedRegex(@"KEYS .*child \S+ spi_in=(?<in>[0-9a-f]{8}) spi_out=[0-9a-f]{8} encr_i=(?<ei>[0-9a-f]*) integ_i=(?<ii>[0-9a-f]*) encr_r=(?<er>[0-9a-f]*) integ_r=(?<ir>[0-9a-f]*)")]
    private static partial Regex ChildKeyLine();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
