using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Isthmus.IkeDaemon.Status;
using Isthmus.KubeApiDouble;
using Isthmus.Testing;
using Isthmus.Operator.Runtime.Events;
using k8s;

namespace Isthmus.IkeDaemon.Tests.Status;

/// <summary>
/// The API-server double on loopback with the hq and branch IpsecTunnels in it (status as the operator wrote it:
/// Accepted, Scheduled, Ready, activeNode), a real KubernetesClient whose every request body is recorded, and one
/// <see cref="KubernetesTunnelStatusSink"/> per gateway.
/// </summary>
internal sealed class StatusApi : IAsyncDisposable
{
    public const string HqNode = "gw-hq";
    public const string BranchNode = "gw-branch";

    private readonly List<KubernetesTunnelStatusSink> _sinks = [];
    private readonly List<Kubernetes> _clients = [];

    private StatusApi(KubeApiServer api) => Api = api;

    public KubeApiServer Api { get; }

    /// <summary>Every request the clients sent: method, path and body.</summary>
    public ConcurrentQueue<(string Method, string Path, string Body)> Sent { get; } = new();

    /// <summary>Runs before each request leaves the client (e.g. to make the operator write in between).</summary>
    public Func<HttpRequestMessage, Task>? BeforeSend { get; set; }

    public StringWriter LogText { get; } = new();

    /// <summary>
    /// The double with RBAC on, the chart's CRDs and Roles installed (real helm): the sinks write with the IKE pods'
    /// ServiceAccount token, so every call the daemon makes must be granted by the chart, and every status they write
    /// must pass the CRD's status schema.
    /// </summary>
    public static async Task<StatusApi> StartAsync()
    {
        var builtIn = ApiResources.All.Where(r => r != ApiResources.IpsecTunnels && r != ApiResources.TrafficSelectors).ToList();
        var api = new StatusApi(await KubeApiServer.StartAsync(new KubeApiServerOptions { Rbac = true, Resources = builtIn }, TestContext.Current.CancellationToken));
        api.Api.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ChartInstall.Namespace } });
        using (var admin = new Kubernetes(new KubernetesClientConfiguration { Host = api.Api.BaseUri.ToString().TrimEnd('/'), AccessToken = api.Api.IssueToken(UserInfo.Admin) }))
        {
            await ChartInstall.InstallCrdsAsync(admin, TestContext.Current.CancellationToken);
            await ChartInstall.InstallAsync(admin, ChartInstall.Namespace, TestContext.Current.CancellationToken, "webhook.enabled=false");
        }
        api.IkeToken = api.Api.IssueToken(UserInfo.ServiceAccount(ChartInstall.Namespace, ChartInstall.IkeServiceAccount));
        api.Api.Store.Seed(Tunnel("hq", "192.0.2.2", HqNode));
        api.Api.Store.Seed(Tunnel("branch", "192.0.2.1", BranchNode));
        return api;
    }

    /// <summary>The bearer token of the chart's IKE ServiceAccount.</summary>
    public string IkeToken { get; private set; } = "";

    /// <summary>A tunnel as the operator leaves it: its own conditions set, the daemon's not yet.</summary>
    public static JsonObject Tunnel(string name, string peer, string node) => new()
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = new JsonObject { ["peer"] = new JsonObject { ["address"] = peer } },
        ["status"] = new JsonObject
        {
            ["observedGeneration"] = 1,
            ["activeNode"] = node,
            ["conditions"] = new JsonArray(
                Condition("Ready", "False", "Negotiating", $"waiting for the IKE daemon on node {node} to establish the IKE SA"),
                Condition("Accepted", "True", "Accepted", "the spec is valid"),
                Condition("Scheduled", "True", "Placed", $"active node {node}, no standby node")),
        },
    };

    public static JsonObject Condition(string type, string status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["reason"] = reason,
        ["message"] = message,
        ["lastTransitionTime"] = "2026-11-27T11:00:00Z",
        ["observedGeneration"] = 1,
    };

    /// <summary>The sink of one gateway; writes at most every <paramref name="minWriteInterval"/> (50 ms unless given, to keep tests fast).</summary>
    public KubernetesTunnelStatusSink Sink(string node, TimeSpan? minWriteInterval = null)
    {
        var client = new Kubernetes(new KubernetesClientConfiguration { Host = Api.BaseUri.ToString().TrimEnd('/'), AccessToken = IkeToken }, new Recorder(this));
        _clients.Add(client);
        var log = new Log(false, LogText);
        var events = new KubernetesEventRecorder(client, KubernetesTunnelStatusSink.ReportingController, $"isthmus-iked-{node}", new DaemonLogger(log, "events"));
        var sink = new KubernetesTunnelStatusSink(client, events, node, log) { MinWriteInterval = minWriteInterval ?? TimeSpan.FromMilliseconds(50) };
        _sinks.Add(sink);
        return sink;
    }

    public JsonObject Read(string name) => Api.Store.Read(ApiResources.IpsecTunnels, "default", name)!;

    public JsonObject Status(string name) => (JsonObject)Read(name)["status"]!;

    public JsonObject? ConditionOf(string name, string type) =>
        ((JsonArray)Status(name)["conditions"]!).Select(c => (JsonObject)c!).SingleOrDefault(c => (string?)c["type"] == type);

    public IReadOnlyList<JsonObject> Events(string tunnel) =>
        Api.Store.ReadAll(ApiResources.Events, "default").Where(e => (string?)e["regarding"]?["name"] == tunnel).ToList();

    /// <summary>Successful writes to the tunnel, by subresource (null: the main resource).</summary>
    public int TunnelWrites(string name, string? subresource = "status") =>
        Api.WriteCount(r => r.Resource == ApiResources.IpsecTunnels && r.Name == name && r.Subresource == subresource);

    public async ValueTask DisposeAsync()
    {
        foreach (var sink in _sinks) await sink.DisposeAsync();
        foreach (var client in _clients) client.Dispose();
        await Api.DisposeAsync();
    }

    private sealed class Recorder(StatusApi owner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            owner.Sent.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath, body));
            if (owner.BeforeSend is { } hook) await hook(request);
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
