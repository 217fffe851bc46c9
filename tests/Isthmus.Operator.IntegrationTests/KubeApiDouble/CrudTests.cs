using System.Net;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

public sealed class CrudTests
{
    [Fact]
    public async Task Create_answers_201_and_fills_server_metadata()
    {
        await using var h = await DoubleHarness.StartAsync();
        var created = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        var meta = created["metadata"]!;
        Assert.True(Guid.TryParse((string?)meta["uid"], out _));
        Assert.Equal("default", (string?)meta["namespace"]);
        Assert.Equal(1, (long)meta["generation"]!);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", (string?)meta["creationTimestamp"]);
        Assert.True(long.Parse((string)meta["resourceVersion"]!) > 0);
        Assert.Contains(h.Api.Requests, r => r.Request.Verb == "create" && r.StatusCode == 201);
    }

    [Fact]
    public async Task Create_of_an_existing_name_is_409_AlreadyExists()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        var (code, reason, _) = await DoubleHarness.FailureOf(() => h.CreateTunnelAsync(DoubleHarness.Tunnel("t1")));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("AlreadyExists", reason);
    }

    [Fact]
    public async Task Get_of_a_missing_object_is_404_NotFound_with_a_Status_body()
    {
        await using var h = await DoubleHarness.StartAsync();
        var (code, reason, message) = await DoubleHarness.FailureOf(() => h.GetTunnelAsync("nope"));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("NotFound", reason);
        Assert.Equal("ipsectunnels.ipsec.isthmus.dev \"nope\" not found", message);
    }

    [Fact]
    public async Task Create_in_a_missing_namespace_is_404()
    {
        await using var h = await DoubleHarness.StartAsync();
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } };
        var (code, _, message) = await DoubleHarness.FailureOf(() => h.Client.CoreV1.CreateNamespacedSecretAsync(secret, "elsewhere", cancellationToken: DoubleHarness.Ct));
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Contains("namespaces \"elsewhere\" not found", message);
    }

    [Fact]
    public async Task Replace_with_a_stale_resourceVersion_is_409_Conflict()
    {
        await using var h = await DoubleHarness.StartAsync();
        var first = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        var stale = (JsonObject)first.DeepClone();
        first["spec"]!["peer"]!["address"] = "192.0.2.11";
        await h.ReplaceTunnelAsync(first);

        stale["spec"]!["peer"]!["address"] = "192.0.2.12";
        var (code, reason, message) = await DoubleHarness.FailureOf(() => h.ReplaceTunnelAsync(stale));
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Equal("Conflict", reason);
        Assert.Contains("the object has been modified", message);
        Assert.Equal("192.0.2.11", (string?)(await h.GetTunnelAsync("t1"))["spec"]!["peer"]!["address"]);
    }

    [Fact]
    public async Task Replace_of_a_missing_object_is_404()
    {
        await using var h = await DoubleHarness.StartAsync();
        var (code, _, _) = await DoubleHarness.FailureOf(() => h.ReplaceTunnelAsync(DoubleHarness.Tunnel("ghost")));
        Assert.Equal(HttpStatusCode.NotFound, code);
    }

    [Fact]
    public async Task Generation_increments_on_spec_changes_only()
    {
        await using var h = await DoubleHarness.StartAsync();
        var t = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        t["metadata"]!["labels"] = new JsonObject { ["site"] = "a" };
        t = await h.ReplaceTunnelAsync(t);
        Assert.Equal(1, (long)t["metadata"]!["generation"]!);

        t["status"] = new JsonObject { ["observedGeneration"] = 1 };
        t = await h.ReplaceTunnelStatusAsync(t);
        Assert.Equal(1, (long)t["metadata"]!["generation"]!);

        t["spec"]!["peer"]!["address"] = "192.0.2.99";
        t = await h.ReplaceTunnelAsync(t);
        Assert.Equal(2, (long)t["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task A_write_that_changes_nothing_keeps_the_resourceVersion()
    {
        await using var h = await DoubleHarness.StartAsync();
        var t = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        var again = await h.ReplaceTunnelAsync(t);
        Assert.Equal((string?)t["metadata"]!["resourceVersion"], (string?)again["metadata"]!["resourceVersion"]);
        Assert.Equal(2, h.Api.WriteCount());
    }

    [Fact]
    public async Task Status_subresource_writes_change_only_status_and_main_writes_ignore_status()
    {
        await using var h = await DoubleHarness.StartAsync();
        var t = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));

        var viaStatus = (JsonObject)t.DeepClone();
        viaStatus["status"] = new JsonObject { ["activeNode"] = "node-a" };
        viaStatus["spec"]!["peer"]!["address"] = "203.0.113.1";
        var afterStatus = await h.ReplaceTunnelStatusAsync(viaStatus);
        Assert.Equal("node-a", (string?)afterStatus["status"]!["activeNode"]);
        Assert.Equal("192.0.2.10", (string?)afterStatus["spec"]!["peer"]!["address"]);

        afterStatus["status"]!["activeNode"] = "node-b";
        var afterMain = await h.ReplaceTunnelAsync(afterStatus);
        Assert.Equal("node-a", (string?)afterMain["status"]!["activeNode"]);

        var patched = await h.PatchTunnelStatusAsync("t1", new JsonObject { ["status"] = new JsonObject { ["rekeyCount"] = 3 } });
        Assert.Equal(3, (long)patched["status"]!["rekeyCount"]!);
        Assert.Equal("node-a", (string?)patched["status"]!["activeNode"]);
    }

    [Fact]
    public async Task Create_ignores_status_of_a_custom_resource()
    {
        await using var h = await DoubleHarness.StartAsync();
        var tunnel = DoubleHarness.Tunnel("t1");
        tunnel["status"] = new JsonObject { ["activeNode"] = "forged" };
        var created = await h.CreateTunnelAsync(tunnel);
        Assert.Null(created["status"]);
    }

    [Fact]
    public async Task Delete_with_finalizers_sets_deletionTimestamp_and_removing_them_deletes()
    {
        await using var h = await DoubleHarness.StartAsync();
        var tunnel = DoubleHarness.Tunnel("t1");
        tunnel["metadata"]!["finalizers"] = new JsonArray("ipsec.isthmus.dev/cleanup");
        await h.CreateTunnelAsync(tunnel);

        var pending = DoubleHarness.Parse(await h.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "t1", cancellationToken: DoubleHarness.Ct));
        Assert.NotNull(pending["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, (long)pending["metadata"]!["generation"]!);

        var stillThere = await h.GetTunnelAsync("t1");
        Assert.NotNull(stillThere["metadata"]!["deletionTimestamp"]);

        var (code, reason, message) = await DoubleHarness.FailureOf(() => h.PatchTunnelAsync("t1",
            new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("ipsec.isthmus.dev/cleanup", "other") } },
            V1Patch.PatchType.MergePatch));
        Assert.Equal((HttpStatusCode)422, code);
        Assert.Equal("Invalid", reason);
        Assert.Contains("no new finalizers", message);

        await h.PatchTunnelAsync("t1", new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = null } }, V1Patch.PatchType.MergePatch);
        var (gone, _, _) = await DoubleHarness.FailureOf(() => h.GetTunnelAsync("t1"));
        Assert.Equal(HttpStatusCode.NotFound, gone);
    }

    [Fact]
    public async Task Delete_without_finalizers_removes_at_once_and_collects_owned_objects()
    {
        await using var h = await DoubleHarness.StartAsync();
        var owner = await h.CreateTunnelAsync(DoubleHarness.Tunnel("t1"));
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "t1-config",
                OwnerReferences = [new V1OwnerReference { ApiVersion = "ipsec.isthmus.dev/v1alpha1", Kind = "IpsecTunnel", Name = "t1", Uid = (string)owner["metadata"]!["uid"]! }],
            },
            StringData = new Dictionary<string, string> { ["config"] = "x" },
        };
        await h.Client.CoreV1.CreateNamespacedSecretAsync(secret, "default", cancellationToken: DoubleHarness.Ct);

        await h.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "t1", cancellationToken: DoubleHarness.Ct);

        Assert.Null(h.Api.Store.Read(ApiResources.IpsecTunnels, "default", "t1"));
        Assert.Null(h.Api.Store.Read(ApiResources.Secrets, "default", "t1-config"));
    }

    [Fact]
    public async Task Secret_stringData_is_stored_base64_under_data()
    {
        await using var h = await DoubleHarness.StartAsync();
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "psk" }, StringData = new Dictionary<string, string> { ["psk"] = "abc" } };
        var created = await h.Client.CoreV1.CreateNamespacedSecretAsync(secret, "default", cancellationToken: DoubleHarness.Ct);
        Assert.Equal("abc", System.Text.Encoding.UTF8.GetString(created.Data["psk"]));
        Assert.Null(created.StringData);
        Assert.Equal("Opaque", created.Type);
    }

    [Fact]
    public async Task Built_in_resources_round_trip_through_typed_clients()
    {
        await using var h = await DoubleHarness.StartAsync();
        var ct = DoubleHarness.Ct;
        await h.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "isthmus-system" } }, cancellationToken: ct);
        await h.Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" } }, cancellationToken: ct);
        var ds = new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "dataplane" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "dp" } },
                Template = new V1PodTemplateSpec { Spec = new V1PodSpec { Containers = [new V1Container { Name = "dp", Image = "dp:1" }] } },
            },
        };
        var createdDs = await h.Client.AppsV1.CreateNamespacedDaemonSetAsync(ds, "isthmus-system", cancellationToken: ct);
        Assert.Equal(1, createdDs.Metadata.Generation);
        await h.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = "lock" }, Spec = new V1LeaseSpec { HolderIdentity = "a" } }, "isthmus-system", cancellationToken: ct);
        await h.Client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event { Metadata = new V1ObjectMeta { Name = "e1" }, Reason = "Accepted", EventTime = DateTime.UtcNow, ReportingController = "isthmus", ReportingInstance = "op-0", Action = "Reconcile" }, "default", cancellationToken: ct);
        await h.Client.CoreV1.CreateNamespacedEventAsync(new Corev1Event { Metadata = new V1ObjectMeta { Name = "e2" }, InvolvedObject = new V1ObjectReference { Name = "t1", Kind = "IpsecTunnel" }, Reason = "Scheduled" }, "default", cancellationToken: ct);
        var pod = await h.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod { Metadata = new V1ObjectMeta { Name = "ike-node-a" }, Spec = new V1PodSpec { NodeName = "node-a", Containers = [new V1Container { Name = "ike", Image = "ike:1" }] } }, "isthmus-system", cancellationToken: ct);
        Assert.Equal("Pending", pod.Status.Phase);

        Assert.Equal("a", (await h.Client.CoordinationV1.ReadNamespacedLeaseAsync("lock", "isthmus-system", cancellationToken: ct)).Spec.HolderIdentity);
        // One store of Events behind both APIs, as on a real API server: e1 (events.k8s.io) and e2 (core/v1).
        Assert.Equal(["e1", "e2"], (await h.Client.EventsV1.ListNamespacedEventAsync("default", cancellationToken: ct)).Items.Select(e => e.Metadata.Name).Order());
        Assert.Single((await h.Client.CoreV1.ListNodeAsync(cancellationToken: ct)).Items);
        Assert.Single((await h.Client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct)).Items);
        Assert.Contains((await h.Client.CoreV1.ListNamespaceAsync(cancellationToken: ct)).Items, n => n.Metadata.Name == "isthmus-system");
        var status = await h.Client.CoreV1.DeleteNamespacedSecretAsync("missing", "default", cancellationToken: ct).ContinueWith(t => t.Exception, ct);
        Assert.NotNull(status);
        await h.Client.CoreV1.DeleteNamespacedPodAsync("ike-node-a", "isthmus-system", cancellationToken: ct);
        Assert.Empty((await h.Client.CoreV1.ListNamespacedPodAsync("isthmus-system", cancellationToken: ct)).Items);
    }

    [Fact]
    public async Task Node_status_subresource_is_written_by_the_typed_client()
    {
        await using var h = await DoubleHarness.StartAsync();
        var ct = DoubleHarness.Ct;
        var node = await h.Client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "node-a" } }, cancellationToken: ct);
        node.Status = new V1NodeStatus { Conditions = [new V1NodeCondition { Type = "Ready", Status = "False" }] };
        await h.Client.CoreV1.ReplaceNodeStatusAsync(node, "node-a", cancellationToken: ct);
        var read = await h.Client.CoreV1.ReadNodeAsync("node-a", cancellationToken: ct);
        Assert.Equal("False", read.Status.Conditions.Single().Status);
    }
}
