using Isthmus.Api.V1Alpha1;
using Isthmus.KubeClient.Events;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class IpsecTunnelReconcilerTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly ObjectKey Hq = new(Fixtures.Ns, "hq");

    private readonly RecordingEventRecorder _events = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private IpsecTunnelReconciler Reconciler(InMemoryClusterStore store) => new(store, _events, NullLogger.Instance, _time);

    [Fact]
    public async Task A_new_tunnel_is_placed_rendered_and_its_status_written()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));

        var result = await Reconciler(store).ReconcileAsync(Hq, Ct);

        Assert.Equal(Runtime.Reconcile.Result.Done, result);
        Assert.Equal(["finalizer+ default/hq", "apply gw-a", "dataplane", "status default/hq"], store.Writes);
        var tunnel = store.Tunnels[Hq];
        Assert.Contains(IpsecTunnelReconciler.Finalizer, tunnel.Metadata.Finalizers!);
        Assert.Equal("gw-a", tunnel.Status!.ActiveNode);
        Assert.Equal(1, tunnel.Status.ObservedGeneration);
        AssertCondition(tunnel.Status, ConditionTypes.Accepted, V1Alpha1ConditionStatus.True, "Accepted");
        AssertCondition(tunnel.Status, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.True, "Placed");
        AssertCondition(tunnel.Status, ConditionTypes.Degraded, V1Alpha1ConditionStatus.False, "AsExpected");
        AssertCondition(tunnel.Status, ConditionTypes.WeakCryptography, V1Alpha1ConditionStatus.False, "StrongAlgorithms");
        AssertCondition(tunnel.Status, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "Negotiating");
        Assert.Equal([Hq], store.Deployed["gw-a"].Tunnels);
        Assert.Contains(_events.Events, e => e.Reason == "Scheduled" && e.Note.Contains("gw-a"));
    }

    [Fact]
    public async Task A_second_reconcile_writes_nothing()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        var writes = store.Writes.Count;
        var events = _events.Events.Count;

        _time.Advance(TimeSpan.FromMinutes(5));
        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.Equal(writes, store.Writes.Count);
        Assert.Equal(events, _events.Events.Count);
    }

    [Fact]
    public async Task An_invalid_spec_sets_accepted_false_and_is_not_placed()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq", edit: s => s.Child.Proposals = ["aes256gcm16-prfsha999"]));

        var result = await Reconciler(store).ReconcileAsync(Hq, Ct);

        Assert.Equal(Runtime.Reconcile.Result.Done, result);
        var status = store.Tunnels[Hq].Status!;
        AssertCondition(status, ConditionTypes.Accepted, V1Alpha1ConditionStatus.False, TunnelValidator.ReasonInvalidSpec);
        AssertCondition(status, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.False, "NotAccepted");
        AssertCondition(status, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "NotAccepted");
        Assert.Null(status.ActiveNode);
        Assert.Empty(store.Deployed);
        Assert.Contains(_events.Events, e => e.Type == EventType.Warning && e.Reason == TunnelValidator.ReasonInvalidSpec);
    }

    [Fact]
    public async Task Weak_cryptography_is_flagged()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq", edit: s => s.Ike.Proposals = ["aes128-sha1-modp1024"]));

        await Reconciler(store).ReconcileAsync(Hq, Ct);

        var weak = Conditions.Find(store.Tunnels[Hq].Status!.Conditions, ConditionTypes.WeakCryptography)!;
        Assert.Equal(V1Alpha1ConditionStatus.True, weak.Status);
        Assert.Equal("WeakAlgorithms", weak.Reason);
        Assert.Contains("modp1024", weak.Message);
    }

    [Fact]
    public async Task A_not_ready_active_node_moves_the_tunnel_to_the_standby()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        Assert.Equal("gw-a", store.Tunnels[Hq].Status!.ActiveNode);

        store.Nodes.RemoveAll(n => n.Name == "gw-a");
        store.Nodes.Add(Fixtures.Node("gw-a", ready: false));
        store.Writes.Clear();
        await reconciler.ReconcileAsync(Hq, Ct);

        var status = store.Tunnels[Hq].Status!;
        Assert.Equal("gw-b", status.ActiveNode);
        AssertCondition(status, ConditionTypes.Degraded, V1Alpha1ConditionStatus.True, "GatewayNotReady");
        Assert.Equal(["apply gw-b", "delete gw-a", "status default/hq"], store.Writes);
        Assert.Contains(_events.Events, e => e.Reason == "FailedOver" && e.Note.Contains("gw-a") && e.Note.Contains("gw-b"));

        // gw-a recovers: the tunnel stays on gw-b.
        store.Nodes.RemoveAll(n => n.Name == "gw-a");
        store.Nodes.Add(Fixtures.Node("gw-a"));
        await reconciler.ReconcileAsync(Hq, Ct);
        Assert.Equal("gw-b", store.Tunnels[Hq].Status!.ActiveNode);
        AssertCondition(store.Tunnels[Hq].Status!, ConditionTypes.Degraded, V1Alpha1ConditionStatus.False, "AsExpected");
    }

    [Fact]
    public async Task No_ready_gateway_unschedules_the_tunnel_and_removes_the_node_config()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);

        store.Nodes.Clear();
        store.Nodes.Add(Fixtures.Node("gw-a", ready: false));
        await reconciler.ReconcileAsync(Hq, Ct);

        var status = store.Tunnels[Hq].Status!;
        Assert.Null(status.ActiveNode);
        AssertCondition(status, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.False, "NoReadyNode");
        Assert.Empty(store.Deployed);
    }

    [Fact]
    public async Task Tunnels_on_the_same_node_share_one_config()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"), Fixtures.Tunnel("dc"));
        var reconciler = Reconciler(store);

        await reconciler.ReconcileAsync(Hq, Ct);
        await reconciler.ReconcileAsync(new ObjectKey(Fixtures.Ns, "dc"), Ct);

        Assert.Single(store.Deployed);
        Assert.Equal([new ObjectKey(Fixtures.Ns, "dc"), Hq], store.Deployed["gw-a"].Tunnels);
    }

    [Fact]
    public async Task A_rotated_psk_re_renders_the_node_config()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        var before = store.Deployed["gw-a"].Hash;

        store.Add(Fixtures.Secret("psk", "rotated-pre-shared-key-value-2025"));
        store.Writes.Clear();
        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.Equal(["apply gw-a"], store.Writes);
        Assert.NotEqual(before, store.Deployed["gw-a"].Hash);
    }

    [Fact]
    public async Task A_spec_change_re_renders_and_updates_observed_generation()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        var before = store.Deployed["gw-a"].Hash;

        var tunnel = store.Tunnels[Hq];
        tunnel.Spec.Child.Proposals = ["aes128gcm16"];
        tunnel.Metadata.Generation = 2;
        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.NotEqual(before, store.Deployed["gw-a"].Hash);
        Assert.Equal(2, store.Tunnels[Hq].Status!.ObservedGeneration);
        Assert.All(store.Tunnels[Hq].Status!.Conditions!, c => Assert.Equal(2, c.ObservedGeneration));
    }

    [Fact]
    public async Task Deleting_the_last_tunnel_of_a_node_removes_its_config_then_the_finalizer()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);

        store.Tunnels[Hq].Metadata.DeletionTimestamp = _time.GetUtcNow().UtcDateTime;
        store.Writes.Clear();
        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.Equal(["delete gw-a", "finalizer- default/hq"], store.Writes);
        Assert.Empty(store.Deployed);
        Assert.False(store.Tunnels.ContainsKey(Hq));
    }

    [Fact]
    public async Task Deleting_one_of_two_tunnels_keeps_the_node_running_the_other()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"), Fixtures.Tunnel("dc"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        await reconciler.ReconcileAsync(new ObjectKey(Fixtures.Ns, "dc"), Ct);

        store.Tunnels[Hq].Metadata.DeletionTimestamp = _time.GetUtcNow().UtcDateTime;
        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.Equal([new ObjectKey(Fixtures.Ns, "dc")], store.Deployed["gw-a"].Tunnels);
    }

    [Fact]
    public async Task The_daemons_conditions_are_kept_and_make_the_tunnel_ready()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);

        // The IKE daemon reports the SAs.
        var status = store.Tunnels[Hq].Status!;
        status.Conditions!.Add(new V1Alpha1Condition { Type = ConditionTypes.IkeSaEstablished, Status = V1Alpha1ConditionStatus.True, Reason = "Established" });
        status.Conditions.Add(new V1Alpha1Condition { Type = ConditionTypes.ChildSaEstablished, Status = V1Alpha1ConditionStatus.True, Reason = "Established" });
        status.IkeSa = new V1Alpha1IkeSaStatus { SpiI = "0123456789abcdef", SpiR = "fedcba9876543210" };
        status.RekeyCount = 3;
        await reconciler.ReconcileAsync(Hq, Ct);

        status = store.Tunnels[Hq].Status!;
        AssertCondition(status, ConditionTypes.Ready, V1Alpha1ConditionStatus.True, "Established");
        AssertCondition(status, ConditionTypes.IkeSaEstablished, V1Alpha1ConditionStatus.True, "Established");
        Assert.Equal("0123456789abcdef", status.IkeSa!.SpiI);
        Assert.Equal(3, status.RekeyCount);
    }

    [Fact]
    public async Task A_config_left_on_a_node_without_tunnels_is_removed()
    {
        var store = Fixtures.Store(Fixtures.Tunnel("hq"));
        var reconciler = Reconciler(store);
        await reconciler.ReconcileAsync(Hq, Ct);
        // An interrupted pass left a config on gw-b that no tunnel uses.
        store.Deployed["gw-b"] = Isthmus.Operator.Tunnels.NodeConfigRenderer.Render("gw-b", null, []);

        await reconciler.ReconcileAsync(Hq, Ct);

        Assert.False(store.Deployed.ContainsKey("gw-b"));
        Assert.True(store.Deployed.ContainsKey("gw-a"));
    }

    [Fact]
    public async Task A_missing_tunnel_is_done_without_writes()
    {
        var store = Fixtures.Store();

        var result = await Reconciler(store).ReconcileAsync(Hq, Ct);

        Assert.Equal(Runtime.Reconcile.Result.Done, result);
        Assert.Empty(store.Writes);
    }

    private static void AssertCondition(V1Alpha1IpsecTunnelStatus status, string type, V1Alpha1ConditionStatus expected, string reason)
    {
        var condition = Conditions.Find(status.Conditions, type);
        Assert.NotNull(condition);
        Assert.Equal(expected, condition.Status);
        Assert.Equal(reason, condition.Reason);
    }
}
