using Isthmus.Operator.Runtime.Events;
using Isthmus.Operator.Runtime.Finalizers;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Operator.Tests.Reconcile;

public sealed class EventsAndFinalizersTests
{
    private static readonly EventReference Tunnel = new("ipsec.isthmus.dev/v1alpha1", "IpsecTunnel", "default", "hq", "uid-1");

    [Fact]
    public void A_repeated_event_within_the_window_becomes_a_series()
    {
        var time = new FakeTimeProvider();
        var dedup = new EventDeduplicator(time);
        Assert.Null(dedup.Repeat(Tunnel, EventType.Warning, "NoReadyNode", "Place", "no node"));
        dedup.Created(Tunnel, EventType.Warning, "NoReadyNode", "Place", "no node", "hq.1");

        time.Advance(TimeSpan.FromMinutes(1));
        var second = dedup.Repeat(Tunnel, EventType.Warning, "NoReadyNode", "Place", "no node");
        var third = dedup.Repeat(Tunnel, EventType.Warning, "NoReadyNode", "Place", "no node");

        Assert.Equal(("hq.1", 2), (second!.EventName, second.Count));
        Assert.Equal(3, third!.Count);
        Assert.Null(dedup.Repeat(Tunnel, EventType.Warning, "NoReadyNode", "Place", "a different note"));
    }

    [Fact]
    public void An_event_after_the_window_is_new()
    {
        var time = new FakeTimeProvider();
        var dedup = new EventDeduplicator(time) { Window = TimeSpan.FromMinutes(6) };
        dedup.Created(Tunnel, EventType.Normal, "Scheduled", "Place", "gw-a", "hq.1");

        time.Advance(TimeSpan.FromMinutes(7));

        Assert.Null(dedup.Repeat(Tunnel, EventType.Normal, "Scheduled", "Place", "gw-a"));
    }

    [Fact]
    public void Finalizer_patches_carry_the_resource_version_and_are_null_when_nothing_changes()
    {
        var meta = new V1ObjectMeta { Name = "hq", ResourceVersion = "42", Finalizers = ["other/finalizer"] };

        var add = FinalizerPatch.Add(meta, "ipsec.isthmus.dev/node-config");
        Assert.NotNull(add);
        Assert.Equal(V1Patch.PatchType.MergePatch, add.Type);
        Assert.Equal("""{"metadata":{"finalizers":["other/finalizer","ipsec.isthmus.dev/node-config"],"resourceVersion":"42"}}""", add.Content as string);
        Assert.Null(FinalizerPatch.Remove(meta, "ipsec.isthmus.dev/node-config"));

        meta.Finalizers.Add("ipsec.isthmus.dev/node-config");
        Assert.Null(FinalizerPatch.Add(meta, "ipsec.isthmus.dev/node-config"));
        Assert.Equal("""{"metadata":{"finalizers":["other/finalizer"],"resourceVersion":"42"}}""", FinalizerPatch.Remove(meta, "ipsec.isthmus.dev/node-config")!.Content as string);
    }
}
