using System.Net.Sockets;
using System.Text.Json;
using Isthmus.IkeDaemon.Control;
using Isthmus.Testing;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>
/// A running <c>isthmus-iked run</c> in a gateway namespace, and its control socket (the one
/// <c>isthmus-iked list-sas</c> reads). The process is stopped by PID when the lab is disposed.
/// </summary>
public sealed class IkeDaemonProcess
{
    public IkeDaemonProcess(string ns, string controlSocket, LabProcess process)
    {
        Namespace = ns;
        ControlSocket = controlSocket;
        Process = process;
    }

    /// <summary>
    /// isthmus-iked.dll in the IKE daemon project's own output (bin/&lt;configuration&gt;/&lt;tfm&gt;, built by the project
    /// reference), not the copy next to the tests: the test directory resolves its shared dependencies against the
    /// dataplane's ASP.NET Core framework, which the daemon does not run on.
    /// </summary>
    public static string Executable { get; } = RepositoryPaths.ProjectOutput("dataplane-node/Isthmus.IkeDaemon", "isthmus-iked.dll");

    public string Namespace { get; }

    public string ControlSocket { get; }

    public LabProcess Process { get; }

    /// <summary>
    /// Starts the daemon in <paramref name="ns"/> on <paramref name="listen"/> (UDP 500 and 4500) with the
    /// manifests in <paramref name="configPath"/>, installing Child SAs into the dataplane on
    /// <paramref name="dataplaneSocket"/>; returns once its control socket answers.
    /// </summary>
    public static async Task<IkeDaemonProcess> StartAsync(
        DataplaneLab lab, string ns, string name, string configPath, System.Net.IPAddress listen, string dataplaneSocket, CancellationToken cancellationToken)
    {
        string control = Path.Combine(lab.Lab.WorkDirectory, $"iked-{name}.sock");
        LabProcess process = lab.Lab.StartProcess(ns,
            DataplaneLab.DotnetHost, Executable, "run", "--config", configPath, "--listen", listen.ToString(),
            "--control", control, "--dataplane", dataplaneSocket);
        var daemon = new IkeDaemonProcess(ns, control, process);
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.False(process.HasExited, $"isthmus-iked in {ns} exited with {process.ExitCode}:\n{process.Output}");
            if (File.Exists(control))
            {
                try
                {
                    _ = await daemon.ListSasAsync(cancellationToken);
                    return daemon;
                }
                catch (SocketException)
                {
                    // Bound but not accepting yet.
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"isthmus-iked in {ns} did not answer on {control} within 30 s:\n{process.Output}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>The daemon's IKE and Child SAs, as <c>isthmus-iked list-sas --json</c> prints them.</summary>
    public async Task<DaemonSnapshot> ListSasAsync(CancellationToken cancellationToken)
    {
        string reply = await ControlServer.RequestAsync(ControlSocket, "list-sas", cancellationToken);
        DaemonSnapshot? snapshot = JsonSerializer.Deserialize<DaemonSnapshot>(reply, ControlServer.Json);
        Assert.True(snapshot is not null, $"isthmus-iked in {Namespace} answered list-sas with '{reply}'");
        return snapshot;
    }

    /// <summary>The one established IKE SA and its one Child SA, or null while there is not exactly that.</summary>
    public static (IkeSaSnapshot Ike, ChildSaSnapshot Child)? SingleTunnel(DaemonSnapshot snapshot)
    {
        List<IkeSaSnapshot> established = snapshot.Sas.Where(s => s.State == "ESTABLISHED").ToList();
        return established is [{ ChildSas: [ChildSaSnapshot child] } ike] ? (ike, child) : null;
    }
}
