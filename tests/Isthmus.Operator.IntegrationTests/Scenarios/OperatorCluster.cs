using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using Isthmus.Operator.Hosting;
using Isthmus.Testing;
using k8s;

namespace Isthmus.Operator.IntegrationTests.Scenarios;

/// <summary>
/// A cluster for the operator scenarios: the API-server double with the operator's namespace, gateway nodes
/// (labelled, Ready), a PSK Secret, a real KubernetesClient, and operators started in-process through
/// <see cref="OperatorHost"/> or as <c>isthmus-operator</c> processes. RBAC is on, with the chart's Roles and
/// bindings as <c>helm template</c> renders them: the operators run with the operator ServiceAccount's token, so
/// every call they make must be granted by the chart, as on a real cluster; the tests' own client is the
/// cluster administrator. Each operator serves the admission webhook the chart registers (its own CA, the caBundle
/// it injects), on a port of its own behind the webhook Service, so every create and update of a tunnel in these
/// scenarios passes through it as on a cluster.
/// </summary>
internal sealed class OperatorCluster : IAsyncDisposable
{
    public const string OperatorNamespace = "isthmus-system";
    public const string GatewayLabel = "ipsec.isthmus.dev/gateway";
    public const string PskSecret = "hq-branch-psk";
    public const string Finalizer = "ipsec.isthmus.dev/node-config";
    public const string WebhookService = ChartInstall.Release + "-webhook";
    public const string SecretLabel = "isthmus.dev/tunnel-secret";

    /// <summary>How often the operators read an unlabelled PSK Secret again (a minute by default; short here).</summary>
    public static readonly TimeSpan UnlabelledRecheck = TimeSpan.FromSeconds(2);
    public const string WebhookConfiguration = ChartInstall.Release;

    private readonly List<(CancellationTokenSource Stop, Task Run)> _operators = [];
    private readonly List<Process> _processes = [];

    private OperatorCluster(KubeApiServer api)
    {
        Api = api;
        Client = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = api.BaseUri.ToString().TrimEnd('/'),
            AccessToken = api.IssueToken(UserInfo.Admin),
            SslCaCerts = api.CaCertificatePem is { } ca ? CaCertificates(ca) : null,
        });
        OperatorToken = api.IssueToken(UserInfo.ServiceAccount(OperatorNamespace, ChartInstall.OperatorServiceAccount));
    }

    /// <summary>The bearer token of the chart's operator ServiceAccount.</summary>
    public string OperatorToken { get; }

    public KubeApiServer Api { get; }

    /// <summary>Log lines of the in-process operators.</summary>
    public CapturedLogs Logs { get; } = new();

    public Kubernetes Client { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static System.Security.Cryptography.X509Certificates.X509Certificate2Collection CaCertificates(string pem)
    {
        var collection = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        collection.ImportFromPem(pem);
        return collection;
    }

    /// <summary>
    /// The operators' connection: server and token over HTTP, or, with TLS, a kubeconfig carrying the API server's
    /// CA and the operator ServiceAccount's token (as a pod's in-cluster configuration does).
    /// </summary>
    private string? OperatorKubeconfig { get; set; }

    public static Task<OperatorCluster> StartAsync(params string[] nodes) => StartAsync(tls: false, nodes);

    public static async Task<OperatorCluster> StartAsync(bool tls, params string[] nodes)
    {
        // The custom resources come from the generated CRDs, created through the API: every write is checked against
        // their schema and CEL rules as on a real cluster.
        var builtIn = ApiResources.All.Where(r => r != ApiResources.IpsecTunnels && r != ApiResources.TrafficSelectors).ToList();
        var cluster = new OperatorCluster(await KubeApiServer.StartAsync(new KubeApiServerOptions { Rbac = true, Tls = tls, Resources = builtIn }, Ct));
        await ChartInstall.InstallCrdsAsync(cluster.Client, Ct);
        if (tls)
        {
            cluster.OperatorKubeconfig = cluster.Api.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"isthmus-operator-{Guid.NewGuid():N}.kubeconfig"), OperatorNamespace, cluster.OperatorToken);
        }
        var store = cluster.Api.Store;
        store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = OperatorNamespace } });
        // A longer webhook timeout than the chart's 5 s: many operators and API servers share two cores in a test run.
        await ChartInstall.InstallAsync(cluster.Client, OperatorNamespace, Ct, "webhook.timeoutSeconds=20");
        foreach (var node in nodes.Length == 0 ? ["gw-a", "gw-b"] : nodes)
        {
            store.Seed(Node(node, ready: true));
        }

        store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = PskSecret, ["namespace"] = "default", ["labels"] = new JsonObject { [SecretLabel] = "true" } },
            ["stringData"] = new JsonObject { ["psk"] = "first-pre-shared-key-0123456789abcdef" },
        });
        return cluster;
    }

    public static JsonObject Node(string name, bool ready, Dictionary<string, string>? extraLabels = null)
    {
        var labels = new JsonObject { [GatewayLabel] = "true", ["kubernetes.io/hostname"] = name };
        foreach (var (k, v) in extraLabels ?? [])
        {
            labels[k] = v;
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels },
            ["status"] = ReadyStatus(ready),
        };
    }

    public static JsonObject ReadyStatus(bool ready) => new()
    {
        ["conditions"] = new JsonArray(new JsonObject
        {
            ["type"] = "Ready",
            ["status"] = ready ? "True" : "False",
            ["reason"] = ready ? "KubeletReady" : "NodeStatusUnknown",
        }),
    };

    /// <summary>A valid tunnel in the shape of <c>examples/tunnel-inline.yaml</c>.</summary>
    public static JsonObject Tunnel(string name, string remoteCidr = "10.2.0.0/16", string peer = "198.51.100.20", Dictionary<string, string>? nodeSelector = null)
    {
        var spec = JsonNode.Parse($$"""
            {
              "startAction": "Initiate",
              "local": { "address": "192.0.2.10", "id": { "type": "FQDN", "value": "hq.example.com" } },
              "peer": { "address": "{{peer}}", "port": 500, "id": { "type": "FQDN", "value": "branch.example.com" } },
              "authentication": { "method": "Psk", "psk": { "secretRef": { "name": "{{PskSecret}}", "key": "psk" } } },
              "ike": { "proposals": ["aes256gcm16-prfsha384-ecp384"], "rekeyTime": "4h" },
              "child": { "proposals": ["aes256gcm16-ecp384"], "rekeyTime": "1h" },
              "trafficSelectors": { "inline": { "local": [ { "cidr": "10.1.0.0/16" } ], "remote": [ { "cidr": "{{remoteCidr}}" } ] } }
            }
            """)!.AsObject();
        if (nodeSelector is not null)
        {
            spec["nodeSelector"] = new JsonObject(nodeSelector.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        }

        return new JsonObject
        {
            ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
            ["kind"] = "IpsecTunnel",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
            ["spec"] = spec,
        };
    }

    /// <summary>A free loopback port for one operator's webhook, registered behind the webhook Service.</summary>
    public int WebhookEndpoint()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        Api.Options.Services.Add(OperatorNamespace, WebhookService, 443, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        return port;
    }

    public OperatorOptions Options(string identity, bool leaderElection = true, int webhookPort = 0) => new()
    {
        WebhookPort = webhookPort,
        WebhookRefreshInterval = TimeSpan.FromSeconds(1),
        UnlabelledSecretRecheck = UnlabelledRecheck,
        WebhookService = webhookPort == 0 ? null : WebhookService,
        WebhookConfiguration = webhookPort == 0 ? null : WebhookConfiguration,
        WebhookCertSecret = webhookPort == 0 ? null : WebhookService + "-tls",
        Server = OperatorKubeconfig is null ? Api.BaseUri.ToString().TrimEnd('/') : null,
        Token = OperatorKubeconfig is null ? OperatorToken : null,
        Kubeconfig = OperatorKubeconfig,
        Namespace = OperatorNamespace,
        Identity = identity,
        LeaderElection = leaderElection,
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
        Workers = 2,
        MetricsPort = 0,
        JsonLogs = false,
    };

    /// <summary>Starts an operator in this process; <see cref="StopOperatorAsync"/> shuts it down gracefully.</summary>
    public int StartOperator(string identity, bool leaderElection = true)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = Task.Run(() => OperatorHost.RunAsync(Options(identity, leaderElection, WebhookEndpoint()), stop.Token, Logs), CancellationToken.None);
        _operators.Add((stop, run));
        return _operators.Count - 1;
    }

    public async Task StopOperatorAsync(int index)
    {
        var (stop, run) = _operators[index];
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    /// <summary>
    /// Starts <c>isthmus-operator</c> as a separate process (so that a test can kill it outright), with short
    /// leader-election timings unless <paramref name="chartTimings"/> asks for the operator's (and chart's) defaults.
    /// </summary>
    public Process StartOperatorProcess(string identity, bool chartTimings = false)
    {
        var dll = OperatorDll();
        var options = Options(identity);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] timings = chartTimings ? [] : ["--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "300ms"];
        foreach (var a in new[]
        {
            dll, "--server", options.Server!, "--token", OperatorToken, "--namespace", OperatorNamespace, "--identity", identity, "--leader-elect", "true",
            "--metrics-port", "0", "--log-format", "text", "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01",
            "--webhook-port", WebhookEndpoint().ToString(System.Globalization.CultureInfo.InvariantCulture), "--webhook-service", WebhookService,
            "--webhook-configuration", WebhookConfiguration, "--webhook-cert-secret", WebhookService + "-tls",
            "--unlabelled-secret-recheck", "2s",
        }.Concat(timings))
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, e) => Logs.Add(identity, e.Data);
        process.ErrorDataReceived += (_, e) => Logs.Add(identity, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// <c>isthmus-operator.dll</c> in the operator's own build output (same configuration as these tests): the copy
    /// beside the tests cannot run on its own, because this project binds its logging assemblies to the ASP.NET
    /// shared framework (for the API double) and so does not carry the operator's package copies.
    /// </summary>
    public static string OperatorDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = baseDir.Name;
        var configuration = baseDir.Parent!.Name;
        var root = baseDir;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Operator.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException("Operator.sln not found above " + AppContext.BaseDirectory);
        }

        return Path.Combine(root.FullName, "operator", "Isthmus.Operator", "bin", configuration, framework, "isthmus-operator.dll");
    }

    /// <summary>The holder of the operators' Lease, read from the store (works while the API is down).</summary>
    public string? LeaseHolder() =>
        (string?)Api.Store.Read(ApiResources.Leases, OperatorNamespace, "isthmus-operator")?["spec"]?["holderIdentity"];

    /// <summary>
    /// Creates a tunnel. Until an operator has published its webhook certificate (caBundle) the API server cannot
    /// call the webhook and, under failurePolicy Fail, refuses the create; like a GitOps tool, this retries then.
    /// </summary>
    public async Task ApplyAsync(JsonObject tunnel)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await Client.CustomObjects.CreateNamespacedCustomObjectAsync(tunnel, "ipsec.isthmus.dev", "v1alpha1", "default", "ipsectunnels", cancellationToken: Ct);
                return;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.InternalServerError
                && e.Response.Content.Contains("failed calling webhook", StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100, Ct);
            }
        }
    }

    public JsonObject? Tunnel(string name) => Api.Store.Read(ApiResources.IpsecTunnels, "default", name);

    public static string? Condition(JsonObject? tunnel, string type) =>
        (tunnel?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();

    /// <summary>Accepted and Scheduled are True and the status describes the current generation.</summary>
    public static bool Converged(JsonObject? tunnel) =>
        tunnel is not null
        && Condition(tunnel, "Accepted") == "True"
        && Condition(tunnel, "Scheduled") == "True"
        && tunnel["status"]?["observedGeneration"]?.GetValue<long>() == tunnel["metadata"]!["generation"]!.GetValue<long>();

    public static string? ActiveNode(JsonObject? tunnel) => (string?)tunnel?["status"]?["activeNode"];

    public JsonObject? ConfigSecret(string node) => Api.Store.Read(ApiResources.Secrets, OperatorNamespace, "isthmus-node-" + node);

    /// <summary>The rendered node config (<c>tunnels.yaml</c>) of a node, decoded, or null.</summary>
    public string? NodeConfig(string node) =>
        ConfigSecret(node)?["data"]?["tunnels.yaml"] is JsonValue v ? Encoding.UTF8.GetString(Convert.FromBase64String(v.GetValue<string>())) : null;

    public JsonObject? IkePod(string node) => Api.Store.Read(ApiResources.Pods, OperatorNamespace, "isthmus-iked-" + node);

    public Task Eventually(Func<bool> condition, string what, double seconds = 30) => Eventually(condition, what, seconds, this);

    public static async Task Eventually(Func<bool> condition, string what, double seconds = 30, OperatorCluster? cluster = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed.TotalSeconds > seconds)
            {
                Assert.Fail($"not reached within {seconds} s: {what}" + (cluster is null ? "" : cluster.Diagnostics()));
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>The last operator log lines and failed API requests, for a failure message.</summary>
    public string Diagnostics() =>
        "\n--- operator log (last 60 lines) ---\n" + string.Join("\n", Logs.Lines.TakeLast(60))
        + "\n--- requests RBAC refused ---\n" + string.Join("\n", Api.AuthorizationLog.Where(a => !a.Allowed).Select(a => $"{a.User.Name}: {a.Request}").Distinct().Take(20))
        + "\n--- failed API requests (last 30) ---\n" + string.Join("\n", Api.Requests.Where(r => r.StatusCode >= 400).TakeLast(30).Select(r => $"{r.StatusCode} {r.Request}"))
        + "\n--- API requests (last 30) ---\n" + string.Join("\n", Api.Requests.TakeLast(30).Select(r => $"{r.StatusCode} {r.Request}"));

    public static string Dump(JsonObject? o) => o?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "(absent)";

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync(CancellationToken.None);
            p.Dispose();
        }

        foreach (var (stop, run) in _operators)
        {
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }

        Client.Dispose();
        await Api.DisposeAsync();
        if (OperatorKubeconfig is not null)
        {
            File.Delete(OperatorKubeconfig);
        }
    }
}
