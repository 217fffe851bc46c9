using System.Text.Json;
using Isthmus.Api.Manifests;
using Isthmus.IkeDaemon;
using Isthmus.Tunnels;
using Isthmus.IkeDaemon.Control;
using Isthmus.IkeDaemon.Status;

const string Usage = """
    isthmus-iked: the Isthmus IKEv2 daemon (RFC 7296)

    usage:
      isthmus-iked run --config PATH [--config PATH ...] [--listen ADDR] [--ike-port N] [--natt-port N]
                       [--control SOCKET] [--retransmit-timeout SECONDS] [--retransmit-tries N] [--debug-keys]
                       [--dataplane SOCKET]
                       [--kube-status [--kubeconfig PATH [--context NAME] | --server URL] [--node-name NODE]]
          Loads IpsecTunnel, TrafficSelector and Secret manifests (files or directories), listens on
          UDP ADDR:500 and ADDR:4500, initiates or answers per tunnel, and logs every SA.
          --dataplane installs every Child SA into the isthmus-dataplane listening on SOCKET.
          --debug-keys also logs the derived keys: for interop debugging only, never in production.
          --kube-status writes each tunnel's IKE/Child SA state into its IpsecTunnel status (the status
          subresource) and records Events on it; the API client comes from --kubeconfig, --server, or the
          pod's service account. --node-name (default $NODE_NAME) is this node: the daemon leaves alone
          a tunnel whose status.activeNode names another node.
      isthmus-iked list-sas [--control SOCKET] [--json]
          Lists the IKE and Child SAs of the running daemon.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    return args[0] switch
    {
        "run" => await Run(args[1..]),
        "list-sas" => await ListSas(args[1..]),
        _ => Fail($"unknown command '{args[0]}'"),
    };
}
catch (ArgumentException e)
{
    return Fail(e.Message);
}

static int Fail(string message)
{
    Console.Error.WriteLine($"isthmus-iked: {message}");
    Console.Error.WriteLine("run 'isthmus-iked --help' for usage");
    return 2;
}

static string Value(string[] args, ref int i) =>
    i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");

static async Task<int> Run(string[] args)
{
    var (options, kube) = DaemonCommandLine.ParseRun(args);

    var log = new Log(options.DebugKeys);
    if (options.DebugKeys) log.Warn("daemon", "--debug-keys is set: derived keys will be logged");
    ManifestSet manifests;
    try
    {
        manifests = ManifestLoader.Load([.. options.ConfigPaths]);
    }
    catch (ManifestException e)
    {
        log.Error("config", e.Message);
        return 1;
    }
    var tunnels = TunnelConfigBuilder.Build(manifests, out var errors);
    foreach (var error in errors) log.Error("config", error);
    if (tunnels.Count == 0) log.Warn("config", "no valid tunnel: the daemon answers nothing until one is configured");

    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
        System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
    k8s.Kubernetes? client = null;
    try
    {
        if (kube.Enabled) client = new k8s.Kubernetes(kube.ClientConfiguration());
    }
    catch (k8s.Exceptions.KubeConfigException e)
    {
        log.Error("status", $"cannot build the Kubernetes client: {e.Message}");
        return 1;
    }
    using var clientLifetime = client;
    await using ITunnelStatusSink status = client is null ? NoTunnelStatusSink.Instance : KubernetesTunnelStatusSink.Create(client, kube.NodeName, log);
    if (client is not null) log.Info("daemon", $"writing tunnel status and Events to {client.BaseUri} as node {kube.NodeName ?? "(unnamed: --node-name not set)"}");
    await new IkeDaemonHost(options, tunnels, log, status).RunAsync(stop.Token);
    return 0;
}

static async Task<int> ListSas(string[] args)
{
    var socket = DaemonOptions.DefaultControlSocket;
    var json = false;
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--control": socket = Value(args, ref i); break;
            case "--json": json = true; break;
            default: throw new ArgumentException($"unknown option '{args[i]}'");
        }
    }
    string reply;
    try
    {
        reply = await ControlServer.RequestAsync(socket, "list-sas");
    }
    catch (System.Net.Sockets.SocketException e)
    {
        Console.Error.WriteLine($"isthmus-iked: cannot reach the daemon at {socket}: {e.SocketErrorCode}");
        return 1;
    }
    if (json)
    {
        Console.Write(reply);
        return 0;
    }
    var snapshot = JsonSerializer.Deserialize<DaemonSnapshot>(reply, ControlServer.Json)!;
    Console.Write(SaFormatting.Render(snapshot));
    return 0;
}
