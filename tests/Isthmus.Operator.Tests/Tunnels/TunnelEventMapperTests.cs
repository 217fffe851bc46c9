using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class TunnelEventMapperTests
{
    [Fact]
    public void A_secret_maps_to_the_tunnels_whose_psk_it_holds()
    {
        var tunnels = new[] { Fixtures.Tunnel("a", secret: "psk-1"), Fixtures.Tunnel("b", secret: "psk-2"), Fixtures.Tunnel("c", secret: "psk-1") };

        Assert.Equal([new ObjectKey("default", "a"), new ObjectKey("default", "c")], TunnelEventMapper.ForSecret(tunnels, "default", "psk-1"));
        Assert.Empty(TunnelEventMapper.ForSecret(tunnels, "other", "psk-1"));
    }

    [Fact]
    public void A_traffic_selector_maps_to_the_tunnels_naming_it()
    {
        var tunnels = new[] { Fixtures.Tunnel("a", edit: s => s.TrafficSelectors.Refs = ["lans", "dns"]), Fixtures.Tunnel("b") };

        Assert.Equal([new ObjectKey("default", "a")], TunnelEventMapper.ForTrafficSelector(tunnels, "default", "dns"));
    }

    [Fact]
    public void A_node_maps_to_the_tunnels_that_may_run_there_or_do()
    {
        var pinned = Fixtures.Tunnel("pinned", edit: s => s.NodeSelector = new() { ["site"] = "zrh" });
        var running = Fixtures.Tunnel("running", edit: s => s.NodeSelector = new() { ["site"] = "gva" });
        running.Status = new() { ActiveNode = "gw-a" };
        var keys = TunnelEventMapper.ForNode([pinned, running, Fixtures.Tunnel("any")], Fixtures.Node("gw-a")).ToList();

        Assert.Equal([new ObjectKey("default", "running"), new ObjectKey("default", "any")], keys);
    }

    [Fact]
    public void Heartbeat_only_node_updates_do_not_matter()
    {
        var node = Fixtures.Node("gw-a");

        Assert.False(TunnelEventMapper.NodeChangeMatters(node, Fixtures.Node("gw-a")));
        Assert.True(TunnelEventMapper.NodeChangeMatters(node, Fixtures.Node("gw-a", ready: false)));
        Assert.True(TunnelEventMapper.NodeChangeMatters(node, Fixtures.Node("gw-a", gateway: false)));
        Assert.True(TunnelEventMapper.NodeChangeMatters(node, node with { Unschedulable = true }));
    }
}
