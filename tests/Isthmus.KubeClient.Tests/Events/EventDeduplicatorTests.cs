using Isthmus.KubeClient.Events;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.KubeClient.Tests.Events;

public sealed class EventDeduplicatorTests
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
}
