using System.Net;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

public sealed class PatchTests
{
    [Fact]
    public async Task Merge_patch_merges_maps_and_null_removes()
    {
        await using var h = await DoubleHarness.StartAsync();
        var t = DoubleHarness.Tunnel("t1");
        t["metadata"]!["labels"] = new JsonObject { ["a"] = "1", ["b"] = "2" };
        await h.CreateTunnelAsync(t);

        var patched = await h.PatchTunnelAsync("t1",
            new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["b"] = null, ["c"] = "3" } } },
            V1Patch.PatchType.MergePatch);
        Assert.Equal("""{"a":"1","c":"3"}""", patched["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("192.0.2.10", (string?)patched["spec"]!["peer"]!["address"]);
    }

    [Fact]
    public async Task Json_patch_applies_operations_and_a_failed_test_is_422()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        var ops = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = "/spec/peer/address", ["value"] = "192.0.2.10" },
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/peer/address", ["value"] = "192.0.2.20" },
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/finalizers", ["value"] = new JsonArray("f") },
            new JsonObject { ["op"] = "add", ["path"] = "/metadata/finalizers/-", ["value"] = "g" });
        var patched = await h.PatchTunnelAsync("t1", ops, V1Patch.PatchType.JsonPatch);
        Assert.Equal("192.0.2.20", (string?)patched["spec"]!["peer"]!["address"]);
        Assert.Equal("""["f","g"]""", patched["metadata"]!["finalizers"]!.ToJsonString());
        Assert.Equal(2, (long)patched["metadata"]!["generation"]!);

        var failing = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/spec/peer/address", ["value"] = "nope" });
        var (code, _, _) = await DoubleHarness.FailureOf(() => h.PatchTunnelAsync("t1", failing, V1Patch.PatchType.JsonPatch));
        Assert.Equal((HttpStatusCode)422, code);
    }

    [Fact]
    public async Task A_patch_carrying_a_stale_resourceVersion_is_409()
    {
        await using var h = await DoubleHarness.StartAsync();
        var t = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        var stale = (string)t["metadata"]!["resourceVersion"]!;
        await h.PatchTunnelAsync("t1", new JsonObject { ["spec"] = new JsonObject { ["x"] = 1 } }, V1Patch.PatchType.MergePatch);

        var (code, reason, _) = await DoubleHarness.FailureOf(() => h.PatchTunnelAsync("t1",
            new JsonObject { ["metadata"] = new JsonObject { ["resourceVersion"] = stale }, ["spec"] = new JsonObject { ["x"] = 2 } },
            V1Patch.PatchType.MergePatch));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", reason);
    }

    [Fact]
    public async Task Strategic_merge_patch_is_refused_for_custom_resources_and_merges_built_ins()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        var (code, _, _) = await DoubleHarness.FailureOf(() => h.PatchTunnelAsync("t1", new JsonObject { ["spec"] = new JsonObject() }, V1Patch.PatchType.StrategicMergePatch));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, code);

        await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s", Labels = new Dictionary<string, string> { ["a"] = "1" } } }, "default", cancellationToken: DoubleHarness.Ct);
        var patch = new V1Patch(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["b"] = "2" } } }, V1Patch.PatchType.StrategicMergePatch);
        var secret = await h.Client.CoreV1.PatchNamespacedSecretAsync(patch, "s", "default", cancellationToken: DoubleHarness.Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, secret.Metadata.Labels);
    }

    [Fact]
    public void Merge_patch_follows_RFC_7386_examples()
    {
        var target = JsonNode.Parse("""{"a":"b","c":{"d":"e","f":"g"}}""");
        var patch = JsonNode.Parse("""{"a":"z","c":{"f":null}}""");
        Assert.Equal("""{"a":"z","c":{"d":"e"}}""", JsonPatches.MergePatch(target, patch)!.ToJsonString());
        Assert.Equal("""["c"]""", JsonPatches.MergePatch(JsonNode.Parse("""{"a":["b"]}"""), JsonNode.Parse("""{"a":["c"]}"""))!["a"]!.ToJsonString());
    }

    [Fact]
    public void Json_patch_move_copy_and_remove_follow_RFC_6902()
    {
        var doc = JsonNode.Parse("""{"a":{"b":1},"c":[1,2]}""");
        var ops = JsonNode.Parse("""[{"op":"move","from":"/a/b","path":"/x"},{"op":"copy","from":"/c","path":"/d"},{"op":"remove","path":"/c/0"}]""");
        Assert.Equal("""{"a":{},"c":[2],"x":1,"d":[1,2]}""", JsonPatches.JsonPatch(doc, ops)!.ToJsonString());
        Assert.Throws<ApiStatusException>(() => JsonPatches.JsonPatch(doc, JsonNode.Parse("""[{"op":"remove","path":"/nope"}]""")));
    }
}
