using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Manifests;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>
/// Writes of custom resources through the real KubernetesClient once the generated CRDs are installed in the double:
/// decoded as the API server decodes them (unknown fields per <c>fieldValidation</c>, defaults) and validated against
/// the schema and its CEL rules, refused with the API server's 422 Invalid. The examples are the cases: every
/// examples/*.yaml is accepted, every examples/invalid/*.yaml the schema refuses is refused with its message.
/// </summary>
public sealed class SchemaValidationTests
{
    public static TheoryData<string> ExampleFiles => new(Repository.ExampleFiles());

    public static TheoryData<string> SchemaRefused => new(Repository.InvalidExampleHeaders().Where(e => e.RefusedBy == "schema").Select(e => e.File));

    public static TheoryData<string> WebhookRefused => new(Repository.InvalidExampleHeaders().Where(e => e.RefusedBy == "webhook").Select(e => e.File));

    private static JsonObject MinimalTunnel(string name) => new()
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = new JsonObject
        {
            ["local"] = new JsonObject { ["address"] = "192.0.2.1" },
            ["peer"] = new JsonObject { ["address"] = "192.0.2.2" },
            ["authentication"] = new JsonObject { ["psk"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = "psk" } } },
            ["trafficSelectors"] = new JsonObject { ["refs"] = new JsonArray("lans") },
        },
    };

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task Example_is_accepted(string file)
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var manifests = YamlManifests.Read(Path.Combine(Repository.Examples, file));
        Assert.NotEmpty(manifests);

        foreach (var manifest in manifests)
        {
            var created = await h.CreateAsync(manifest, fieldValidation: "Strict");
            Assert.Equal((string?)manifest["metadata"]!["name"], (string?)created["metadata"]!["name"]);
        }
    }

    [Theory]
    [MemberData(nameof(SchemaRefused))]
    public async Task Schema_refused_example_is_refused_with_its_message(string file)
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var expect = Repository.InvalidExampleHeaders().Single(e => e.File == file).Expect;
        var manifest = Assert.Single(YamlManifests.Read(Path.Combine(Repository.InvalidExamples, file)));

        // kubectl apply asks for strict field validation.
        var status = await DoubleHarness.StatusOf(() => h.CreateAsync(manifest, fieldValidation: "Strict"));

        var message = (string)status["message"]!;
        Assert.Contains(expect, message);
        if (expect.Contains("strict decoding error", StringComparison.Ordinal))
        {
            Assert.Equal((400, "BadRequest"), ((int)status["code"]!, (string?)status["reason"]));
            Assert.Equal(expect, message);
            return;
        }

        Assert.Equal((422, "Invalid"), ((int)status["code"]!, (string?)status["reason"]));
        var name = (string)manifest["metadata"]!["name"]!;
        Assert.StartsWith($"{manifest["kind"]}.ipsec.isthmus.dev \"{name}\" is invalid: ", message);
        var field = expect[..expect.IndexOf(": ", StringComparison.Ordinal)];
        var cause = status["details"]!["causes"]!.AsArray().First(c => (string?)c!["field"] == field)!;
        Assert.Equal(expect[(field.Length + 2)..], ((string)cause["message"]!)[..(expect.Length - field.Length - 2)]);
        Assert.Equal(((string?)status["details"]!["name"], (string?)status["details"]!["kind"]), (name, (string?)manifest["kind"]));
    }

    [Theory]
    [MemberData(nameof(WebhookRefused))]
    public async Task Webhook_refused_example_passes_the_schema(string file)
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var manifest = Assert.Single(YamlManifests.Read(Path.Combine(Repository.InvalidExamples, file)));

        var created = await h.CreateAsync(manifest, fieldValidation: "Strict");

        Assert.Equal((string?)manifest["metadata"]!["name"], (string?)created["metadata"]!["name"]);
    }

    [Fact]
    public async Task Unknown_field_is_refused_under_strict_validation_with_the_real_message()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var tunnel = MinimalTunnel("t1");
        tunnel["spec"]!["foo"] = 1;
        tunnel["spec"]!["peer"]!["bar"] = "x";

        var status = await DoubleHarness.StatusOf(() => h.CreateAsync(tunnel, fieldValidation: "Strict"));

        Assert.Equal((400, "BadRequest"), ((int)status["code"]!, (string?)status["reason"]));
        Assert.Equal("IpsecTunnel in version \"v1alpha1\" cannot be handled as a IpsecTunnel: strict decoding error: unknown field \"spec.foo\", unknown field \"spec.peer.bar\"",
            (string?)status["message"]);
        Assert.Null(h.Api.Store.Read(ApiResources.IpsecTunnels, "default", "t1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Warn")]
    public async Task Unknown_field_is_pruned_with_a_warning_by_default_and_under_warn(string? fieldValidation)
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var tunnel = MinimalTunnel("t1");
        tunnel["spec"]!["foo"] = 1;

        using var response = await h.Client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync(
            tunnel, DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, fieldValidation: fieldValidation, cancellationToken: DoubleHarness.Ct);

        Assert.Equal(["299 - \"unknown field \\\"spec.foo\\\"\""], response.Response.Headers.GetValues("Warning"));
        Assert.Null(h.Api.Store.Read(ApiResources.IpsecTunnels, "default", "t1")!["spec"]!["foo"]);
    }

    [Fact]
    public async Task Unknown_field_is_pruned_silently_under_ignore()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var tunnel = MinimalTunnel("t1");
        tunnel["spec"]!["foo"] = 1;

        using var response = await h.Client.CustomObjects.CreateNamespacedCustomObjectWithHttpMessagesAsync(
            tunnel, DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, fieldValidation: "Ignore", cancellationToken: DoubleHarness.Ct);

        Assert.False(response.Response.Headers.Contains("Warning"));
        Assert.Null(h.Api.Store.Read(ApiResources.IpsecTunnels, "default", "t1")!["spec"]!["foo"]);
    }

    [Fact]
    public async Task Unknown_field_in_a_strict_patch_is_refused_with_the_decoding_error()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        await h.CreateAsync(MinimalTunnel("t1"));

        var status = await DoubleHarness.StatusOf(() => h.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch(new JsonObject { ["spec"] = new JsonObject { ["ike"] = new JsonObject { ["proposal"] = new JsonArray("aes256gcm16-prfsha384-ecp384") } } }, V1Patch.PatchType.MergePatch),
            DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "t1", fieldValidation: "Strict", cancellationToken: DoubleHarness.Ct));

        Assert.Equal((400, "strict decoding error: unknown field \"spec.ike.proposal\""), ((int)status["code"]!, (string?)status["message"]));
    }

    [Fact]
    public async Task Defaults_of_the_schema_are_applied_on_create()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();

        var created = await h.CreateAsync(MinimalTunnel("t1"));

        var spec = created["spec"]!;
        Assert.Equal("Initiate", (string?)spec["startAction"]);
        Assert.Equal(500, (int)spec["peer"]!["port"]!);
        Assert.Equal("Psk", (string?)spec["authentication"]!["method"]);
        Assert.Equal("psk", (string?)spec["authentication"]!["psk"]!["secretRef"]!["key"]);
        Assert.Equal(("4h", "30s", "Auto", true), ((string?)spec["ike"]!["rekeyTime"], (string?)spec["ike"]!["dpdDelay"], (string?)spec["ike"]!["natTraversal"], (bool)spec["ike"]!["fragmentation"]!));
        Assert.Equal(("1h", 32), ((string?)spec["child"]!["rekeyTime"], (int)spec["child"]!["replayWindow"]!));
        Assert.True(JsonNode.DeepEquals(created["spec"], h.Api.Store.Read(ApiResources.IpsecTunnels, "default", "t1")!["spec"]));
    }

    [Fact]
    public async Task Cel_rule_failure_is_refused_with_the_rule_message_and_the_field_of_its_field_path()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        var tunnel = MinimalTunnel("t1");
        tunnel["spec"]!["child"] = new JsonObject { ["rekeyTime"] = "1h", ["lifetime"] = "30m" };

        var status = await DoubleHarness.StatusOf(() => h.CreateAsync(tunnel));

        Assert.Equal("IpsecTunnel.ipsec.isthmus.dev \"t1\" is invalid: spec.child.lifetime: Invalid value: \"object\": child.lifetime must exceed child.rekeyTime", (string?)status["message"]);
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        Assert.Equal(("FieldValueInvalid", "spec.child.lifetime", "Invalid value: \"object\": child.lifetime must exceed child.rekeyTime"),
            ((string?)cause["reason"], (string?)cause["field"], (string?)cause["message"]));
    }

    [Fact]
    public async Task A_status_write_validates_the_status_and_a_main_write_ignores_it()
    {
        await using var h = await DoubleHarness.StartWithCrdsAsync();
        await h.CreateAsync(MinimalTunnel("t1"));

        var status = await DoubleHarness.StatusOf(() => h.PatchTunnelStatusAsync("t1", new JsonObject { ["status"] = new JsonObject { ["ikeSa"] = new JsonObject { ["spiI"] = "xyz" } } }));
        Assert.Equal("IpsecTunnel.ipsec.isthmus.dev \"t1\" is invalid: status.ikeSa.spiI: Invalid value: \"xyz\": status.ikeSa.spiI in body should match '^[0-9a-fA-F]{16}$'", (string?)status["message"]);

        var written = await h.PatchTunnelStatusAsync("t1", new JsonObject { ["status"] = new JsonObject { ["activeNode"] = "gw-a", ["rekeyCount"] = 1 } });
        Assert.Equal("gw-a", (string?)written["status"]!["activeNode"]);

        // A main-resource write keeps the stored status whatever it carries, and validates the rest.
        var tunnel = await h.GetTunnelAsync("t1");
        tunnel["status"] = new JsonObject { ["ikeSa"] = new JsonObject { ["spiI"] = "not-hex" } };
        var replaced = await h.ReplaceTunnelAsync(tunnel);
        Assert.Equal("gw-a", (string?)replaced["status"]!["activeNode"]);
        Assert.Null(replaced["status"]!["ikeSa"]);

        tunnel = await h.GetTunnelAsync("t1");
        tunnel["spec"]!["peer"]!["port"] = 0;
        var refused = await DoubleHarness.StatusOf(() => h.ReplaceTunnelAsync(tunnel));
        Assert.Equal("IpsecTunnel.ipsec.isthmus.dev \"t1\" is invalid: spec.peer.port: Invalid value: 0: spec.peer.port in body should be greater than or equal to 1", (string?)refused["message"]);
    }

    [Fact]
    public async Task A_stand_in_tunnel_without_a_crd_is_not_validated()
    {
        await using var h = await DoubleHarness.StartAsync();

        var created = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        Assert.Null(created["spec"]!["ike"]);
        Assert.Null(ApiResources.IpsecTunnels.Schema);
    }
}
