using Isthmus.Operator.Nodes;
using Isthmus.Operator.Tests.Fakes;

namespace Isthmus.Operator.Tests.Nodes;

public sealed class PlacementTests
{
    [Fact]
    public void Without_a_node_selector_the_gateway_nodes_are_candidates_sorted_by_name()
    {
        var nodes = new[] { Fixtures.Node("gw-c"), Fixtures.Node("worker", gateway: false), Fixtures.Node("gw-a"), Fixtures.Node("gw-b") };

        var decision = Placement.Choose(null, nodes, currentActive: null);

        Assert.Equal(["gw-a", "gw-b", "gw-c"], decision.Candidates);
        Assert.Equal("gw-a", decision.Active);
        Assert.Equal("gw-b", decision.Standby);
        Assert.Empty(decision.NotReady);
    }

    [Fact]
    public void A_node_selector_must_match_every_label()
    {
        var nodes = new[]
        {
            Fixtures.Node("edge-1", gateway: false, labels: [("site", "zrh"), ("role", "edge")]),
            Fixtures.Node("edge-2", gateway: false, labels: [("site", "gva"), ("role", "edge")]),
            Fixtures.Node("gw-a"),
        };

        var decision = Placement.Choose(new Dictionary<string, string> { ["site"] = "zrh", ["role"] = "edge" }, nodes, null);

        Assert.Equal(["edge-1"], decision.Candidates);
        Assert.Equal("edge-1", decision.Active);
        Assert.Null(decision.Standby);
    }

    [Fact]
    public void The_current_active_node_is_kept_while_ready_even_if_another_sorts_first()
    {
        var nodes = new[] { Fixtures.Node("gw-a"), Fixtures.Node("gw-b") };

        var decision = Placement.Choose(null, nodes, currentActive: "gw-b");

        Assert.Equal("gw-b", decision.Active);
        Assert.Equal("gw-a", decision.Standby);
    }

    [Fact]
    public void A_not_ready_active_node_fails_over_to_the_first_ready_standby()
    {
        var nodes = new[] { Fixtures.Node("gw-a", ready: false), Fixtures.Node("gw-b"), Fixtures.Node("gw-c") };

        var decision = Placement.Choose(null, nodes, currentActive: "gw-a");

        Assert.Equal("gw-b", decision.Active);
        Assert.Equal("gw-c", decision.Standby);
        Assert.Equal(["gw-a"], decision.NotReady);
    }

    [Fact]
    public void No_ready_candidate_leaves_the_tunnel_unplaced()
    {
        var nodes = new[] { Fixtures.Node("gw-a", ready: false), Fixtures.Node("gw-b", ready: false) };

        var decision = Placement.Choose(null, nodes, currentActive: "gw-a");

        Assert.False(decision.IsPlaced);
        Assert.Null(decision.Standby);
        Assert.Equal(["gw-a", "gw-b"], decision.NotReady);
    }

    [Fact]
    public void A_cordoned_node_keeps_its_tunnel_but_gets_no_new_one()
    {
        var cordoned = Fixtures.Node("gw-a") with { Unschedulable = true };
        var nodes = new[] { cordoned, Fixtures.Node("gw-b") };

        Assert.Equal("gw-a", Placement.Choose(null, nodes, currentActive: "gw-a").Active);
        Assert.Equal("gw-b", Placement.Choose(null, nodes, currentActive: null).Active);
    }

    [Fact]
    public void A_recovered_node_does_not_take_the_tunnel_back()
    {
        var nodes = new[] { Fixtures.Node("gw-a"), Fixtures.Node("gw-b") };

        // gw-a failed earlier and the tunnel moved to gw-b; gw-a is Ready again.
        var decision = Placement.Choose(null, nodes, currentActive: "gw-b");

        Assert.Equal("gw-b", decision.Active);
    }
}
