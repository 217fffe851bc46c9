using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>A started double and a real KubernetesClient pointed at it.</summary>
internal sealed class DoubleHarness : IAsyncDisposable
{
    public const string Group = "ipsec.isthmus.dev";
    public const string Version = "v1alpha1";
    public const string Tunnels = "ipsectunnels";

    private DoubleHarness(KubeApiServer api)
    {
        Api = api;
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = api.BaseUri.ToString().TrimEnd('/') });
    }

    public KubeApiServer Api { get; }

    public Kubernetes Client { get; }

    public static async Task<DoubleHarness> StartAsync(KubeApiServerOptions? options = null) =>
        new(await KubeApiServer.StartAsync(options, TestContext.Current.CancellationToken));

    public static JsonObject Tunnel(string name, string peer = "192.0.2.10", string ns = "default") => new()
    {
        ["apiVersion"] = Group + "/" + Version,
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
        ["spec"] = new JsonObject { ["peer"] = new JsonObject { ["address"] = peer } },
    };

    public async Task<JsonObject> CreateTunnelAsync(JsonObject tunnel) =>
        Parse(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(tunnel, Group, Version, "default", Tunnels, cancellationToken: Ct));

    public async Task<JsonObject> GetTunnelAsync(string name) =>
        Parse(await Client.CustomObjects.GetNamespacedCustomObjectAsync(Group, Version, "default", Tunnels, name, Ct));

    public async Task<JsonObject> ReplaceTunnelAsync(JsonObject tunnel) =>
        Parse(await Client.CustomObjects.ReplaceNamespacedCustomObjectAsync(tunnel, Group, Version, "default", Tunnels, (string)tunnel["metadata"]!["name"]!, cancellationToken: Ct));

    public async Task<JsonObject> ReplaceTunnelStatusAsync(JsonObject tunnel) =>
        Parse(await Client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(tunnel, Group, Version, "default", Tunnels, (string)tunnel["metadata"]!["name"]!, cancellationToken: Ct));

    public async Task<JsonObject> PatchTunnelAsync(string name, object patch, V1Patch.PatchType type) =>
        Parse(await Client.CustomObjects.PatchNamespacedCustomObjectAsync(new V1Patch(patch, type), Group, Version, "default", Tunnels, name, cancellationToken: Ct));

    public async Task<JsonObject> PatchTunnelStatusAsync(string name, JsonObject patch) =>
        Parse(await Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(patch, V1Patch.PatchType.MergePatch), Group, Version, "default", Tunnels, name, cancellationToken: Ct));

    /// <summary>A double with the repository's generated CRDs created through its API, as <c>kubectl apply -f crds/</c> does.</summary>
    public static async Task<DoubleHarness> StartWithCrdsAsync()
    {
        var h = await StartAsync();
        foreach (var crd in Repository.CrdsIn(Repository.Crds))
        {
            await h.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Typed(crd), cancellationToken: Ct);
        }

        return h;
    }

    /// <summary>A CRD read from YAML as the client's typed model.</summary>
    public static V1CustomResourceDefinition Typed(JsonObject crd) => KubernetesJson.Deserialize<V1CustomResourceDefinition>(crd.ToJsonString());

    /// <summary>Creates a manifest (a Secret or an Isthmus custom resource) in its namespace, with a fieldValidation directive.</summary>
    public async Task<JsonObject> CreateAsync(JsonObject manifest, string? fieldValidation = null)
    {
        var ns = (string?)manifest["metadata"]?["namespace"] ?? "default";
        switch ((string?)manifest["kind"])
        {
            case "Secret":
                var secret = KubernetesJson.Deserialize<V1Secret>(manifest.ToJsonString());
                var created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, ns, fieldValidation: fieldValidation, cancellationToken: Ct);
                return JsonNode.Parse(KubernetesJson.Serialize(created))!.AsObject();
            case "IpsecTunnel":
                return Parse(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(manifest, Group, Version, ns, Tunnels, fieldValidation: fieldValidation, cancellationToken: Ct));
            case "TrafficSelector":
                return Parse(await Client.CustomObjects.CreateNamespacedCustomObjectAsync(manifest, Group, Version, ns, "trafficselectors", fieldValidation: fieldValidation, cancellationToken: Ct));
            default:
                throw new ArgumentException($"no create for kind {manifest["kind"]}", nameof(manifest));
        }
    }

    /// <summary>Runs a call that must fail, and returns the whole Status body the server answered.</summary>
    public static async Task<JsonObject> StatusOf(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        var body = JsonNode.Parse(e.Response.Content)!.AsObject();
        Assert.Equal("Status", (string?)body["kind"]);
        Assert.Equal((int)e.Response.StatusCode, (int)body["code"]!);
        return body;
    }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static JsonObject Parse(object response) =>
        JsonNode.Parse(((JsonElement)response).GetRawText())!.AsObject();

    /// <summary>Runs a call that must fail, and returns the HTTP status and the Status body's reason.</summary>
    public static async Task<(HttpStatusCode Code, string? Reason, string Message)> FailureOf(Func<Task> call)
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(call);
        var body = JsonNode.Parse(e.Response.Content)!;
        Assert.Equal("Status", (string?)body["kind"]);
        Assert.Equal((int)e.Response.StatusCode, (int)body["code"]!);
        return (e.Response.StatusCode, (string?)body["reason"], (string?)body["message"] ?? "");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Api.DisposeAsync();
    }
}
