using System.Net;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>
/// CustomResourceDefinitions through the double's API with the real KubernetesClient, as a kube-apiserver 1.32 takes
/// them: validated (structural schema, CEL rules within the cost budget) and refused with its message, or stored,
/// established and served with their schema; deleted, the resource goes. A real API server refused the a4f843b CRDs;
/// the double refuses them the same way.
/// </summary>
public sealed class CustomResourceDefinitionTests
{
    private const string Advice = "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)";
    private const string RemoteEntries = "spec.validation.openAPIV3Schema.properties[spec].properties[trafficSelectors].properties[inline].properties[remote].items";

    [Fact]
    public async Task The_a4f843b_tunnel_crd_is_refused_with_the_real_servers_message()
    {
        await using var h = await DoubleHarness.StartAsync();
        var crd = Repository.Crd(Repository.CrdsA4f843b, "IpsecTunnel");

        var status = await DoubleHarness.StatusOf(() => h.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(DoubleHarness.Typed(crd), cancellationToken: DoubleHarness.Ct));

        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("Invalid", (string?)status["reason"]);
        var message = (string)status["message"]!;
        Assert.StartsWith("CustomResourceDefinition.apiextensions.k8s.io \"ipsectunnels.ipsec.isthmus.dev\" is invalid: [", message);
        Assert.Contains($"{RemoteEntries}.properties[protocol].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 52.3x {Advice}", message);
        Assert.Contains($"{RemoteEntries}.x-kubernetes-validations[3].rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x {Advice}", message);
        Assert.Contains($"{RemoteEntries}.x-kubernetes-validations[4].rule: Forbidden: estimated rule cost exceeds budget by factor of 10.1x {Advice}", message);

        var details = status["details"]!;
        Assert.Equal(("ipsectunnels.ipsec.isthmus.dev", "apiextensions.k8s.io", "CustomResourceDefinition"), ((string?)details["name"], (string?)details["group"], (string?)details["kind"]));
        var cause = details["causes"]!.AsArray().Single(c => (string?)c!["field"] == $"{RemoteEntries}.properties[protocol].x-kubernetes-validations[0].rule"
            && ((string)c["message"]!).StartsWith("Forbidden: estimated rule cost", StringComparison.Ordinal))!;
        Assert.Equal("FieldValueForbidden", (string?)cause["reason"]);
        Assert.Equal($"Forbidden: estimated rule cost exceeds budget by factor of 52.3x {Advice}", (string?)cause["message"]);

        var missing = await DoubleHarness.StatusOf(() => h.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("ipsectunnels.ipsec.isthmus.dev", cancellationToken: DoubleHarness.Ct));
        Assert.Equal(404, (int)missing["code"]!);
    }

    [Fact]
    public async Task The_a4f843b_selector_crd_is_refused_for_its_protocol_rule()
    {
        await using var h = await DoubleHarness.StartAsync();
        var crd = Repository.Crd(Repository.CrdsA4f843b, "TrafficSelector");

        var status = await DoubleHarness.StatusOf(() => h.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(DoubleHarness.Typed(crd), cancellationToken: DoubleHarness.Ct));

        Assert.Contains(
            $"spec.validation.openAPIV3Schema.properties[spec].properties[local].items.properties[protocol].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 52.3x {Advice}",
            (string)status["message"]!);
    }

    [Fact]
    public async Task Generated_crds_are_created_established_and_their_resources_served()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();

        foreach (var name in new[] { "ipsectunnels.ipsec.isthmus.dev", "trafficselectors.ipsec.isthmus.dev" })
        {
            var crd = await h.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: DoubleHarness.Ct);
            Assert.Contains(crd.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
            Assert.Contains(crd.Status.Conditions, c => c.Type == "NamesAccepted" && c.Status == "True");
            Assert.Equal(["v1alpha1"], crd.Status.StoredVersions);
            Assert.Equal(crd.Spec.Names.Kind + "List", crd.Status.AcceptedNames.ListKind);
        }

        using var http = new HttpClient { BaseAddress = h.Api.BaseUri };
        var discovery = JsonNode.Parse(await http.GetStringAsync("apis/ipsec.isthmus.dev/v1alpha1", DoubleHarness.Ct))!;
        Assert.Contains(discovery["resources"]!.AsArray(), r => (string?)r!["name"] == "ipsectunnels/status");
        Assert.Contains(discovery["resources"]!.AsArray(), r => (string?)r!["name"] == "trafficselectors" && (string?)r["categories"]![0] == "isthmus");
        var listed = await h.Client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: DoubleHarness.Ct);
        Assert.Equal(2, listed.Items.Count);
    }

    [Fact]
    public async Task Deleting_a_crd_stops_serving_its_resource_and_deletes_its_objects()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        foreach (var manifest in Repository.ExampleFiles().Where(f => f == "psk-secret.yaml" || f == "tunnel-inline.yaml")
                     .SelectMany(f => Isthmus.ApiExtensions.Manifests.YamlManifests.Read(Path.Combine(Repository.Examples, f))))
        {
            await h.CreateAsync(manifest);
        }

        await h.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("ipsectunnels.ipsec.isthmus.dev", cancellationToken: DoubleHarness.Ct);

        var list = await DoubleHarness.StatusOf(() => h.Client.CustomObjects.ListNamespacedCustomObjectAsync(DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, cancellationToken: DoubleHarness.Ct));
        Assert.Equal(404, (int)list["code"]!);
        Assert.Empty(h.Api.Store.ReadAll(ApiResources.IpsecTunnels));
        var remaining = await h.Client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: DoubleHarness.Ct);
        Assert.Equal(["trafficselectors.ipsec.isthmus.dev"], remaining.Items.Select(c => c.Metadata.Name));
    }

    [Fact]
    public async Task An_update_that_adds_an_expensive_rule_is_refused_and_the_stored_crd_stays()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var crd = Repository.Crd(Repository.Crds, "TrafficSelector");
        var protocol = RemoteItems(crd)["properties"]!["protocol"]!.AsObject();
        protocol["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = "string(self).matches('^[a-z]+$')", ["message"] = "lower case" });

        var status = await DoubleHarness.StatusOf(() => h.Client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(DoubleHarness.Typed(crd), "trafficselectors.ipsec.isthmus.dev", cancellationToken: DoubleHarness.Ct));

        Assert.Equal(422, (int)status["code"]!);
        Assert.Contains("properties[remote].items.properties[protocol].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of", (string)status["message"]!);
        var stored = h.Api.Store.Read(ApiResources.CustomResourceDefinitions, null, "trafficselectors.ipsec.isthmus.dev")!;
        Assert.Null(RemoteItems(stored)["properties"]!["protocol"]!["x-kubernetes-validations"]);
    }

    [Fact]
    public async Task An_accepted_update_serves_the_new_schema()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var crd = Repository.Crd(Repository.Crds, "TrafficSelector");
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["remote"]!["maxItems"] = 1;
        await h.Client.ApiextensionsV1.ReplaceCustomResourceDefinitionAsync(DoubleHarness.Typed(crd), "trafficselectors.ipsec.isthmus.dev", cancellationToken: DoubleHarness.Ct);

        var selector = Selector("two", new JsonArray(new JsonObject { ["cidr"] = "10.2.0.0/16" }, new JsonObject { ["cidr"] = "10.3.0.0/16" }));
        var status = await DoubleHarness.StatusOf(() => h.CreateAsync(selector));

        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("TrafficSelector.ipsec.isthmus.dev \"two\" is invalid: [spec.remote: Too many: 2: must have at most 1 item, <nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]",
            (string?)status["message"]);
        var crdNow = await h.Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("trafficselectors.ipsec.isthmus.dev", cancellationToken: DoubleHarness.Ct);
        Assert.Equal(2, crdNow.Metadata.Generation);
        Assert.Contains(crdNow.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
    }

    private static JsonObject RemoteItems(JsonObject crd) =>
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["spec"]!["properties"]!["remote"]!["items"]!.AsObject();

    [Fact]
    public void Crds_given_in_the_options_go_through_the_same_validation()
    {
        var e = Assert.Throws<CustomResourceDefinitionInvalidException>(() => CustomResourceDefinitions.ToApiResource(Repository.Crd(Repository.CrdsA4f843b, "IpsecTunnel")));

        Assert.StartsWith("CustomResourceDefinition.apiextensions.k8s.io \"ipsectunnels.ipsec.isthmus.dev\" is invalid: [", e.Message);
        Assert.Contains($"{RemoteEntries}.properties[protocol].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 52.3x", e.Message);
        Assert.Equal(422, e.Status.Code);
    }

    [Fact]
    public async Task Crds_given_in_the_options_are_listed_established_and_validate_writes()
    {
        var crds = Repository.CrdsIn(Repository.Crds).Select(CustomResourceDefinitions.ToApiResource).ToList();
        await using var h = await DoubleHarness.StartAsync(new KubeApiServerOptions { Resources = CustomResourceDefinitions.Replace(ApiResources.All, crds) });

        var listed = await h.Client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: DoubleHarness.Ct);
        Assert.Equal(["ipsectunnels.ipsec.isthmus.dev", "trafficselectors.ipsec.isthmus.dev"], listed.Items.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(listed.Items, c => Assert.Contains(c.Status.Conditions, s => s.Type == "Established" && s.Status == "True"));

        var status = await DoubleHarness.StatusOf(() => h.CreateAsync(Selector("bad", new JsonArray(new JsonObject { ["cidr"] = "10.0.0.0/33" }))));
        Assert.Equal("TrafficSelector.ipsec.isthmus.dev \"bad\" is invalid: spec.remote[0].cidr: Invalid value: \"string\": cidr must be an IPv4 or IPv6 prefix such as 10.1.0.0/16 or 2001:db8::/32",
            (string?)status["message"]);
    }

    internal static JsonObject Selector(string name, JsonArray remote) => new()
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "TrafficSelector",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = new JsonObject
        {
            ["local"] = new JsonArray(new JsonObject { ["cidr"] = "10.1.0.0/16" }),
            ["remote"] = remote,
        },
    };
}
