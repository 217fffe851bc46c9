using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class ConditionsTests
{
    private static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, 500, TimeSpan.Zero);

    [Fact]
    public void Setting_the_same_status_keeps_the_transition_time()
    {
        var list = new List<V1Alpha1Condition>();
        Conditions.Set(list, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "Negotiating", "waiting", 1, T0);
        Conditions.Set(list, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "Negotiating", "still waiting", 2, T0.AddMinutes(5));

        var ready = Assert.Single(list);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 12, 0, 0, TimeSpan.Zero), ready.LastTransitionTime);
        Assert.Equal("still waiting", ready.Message);
        Assert.Equal(2, ready.ObservedGeneration);
    }

    [Fact]
    public void A_status_change_moves_the_transition_time()
    {
        var list = new List<V1Alpha1Condition>();
        Conditions.Set(list, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "Negotiating", "waiting", 1, T0);
        Conditions.Set(list, ConditionTypes.Ready, V1Alpha1ConditionStatus.True, "Established", "up", 1, T0.AddMinutes(5));

        Assert.Equal(T0.AddMinutes(5).AddMilliseconds(-500), list[0].LastTransitionTime);
        Assert.Equal(V1Alpha1ConditionStatus.True, list[0].Status);
    }

    [Fact]
    public void The_status_builder_leaves_daemon_owned_conditions_alone()
    {
        var current = new V1Alpha1IpsecTunnelStatus
        {
            Conditions = [new V1Alpha1Condition { Type = ConditionTypes.IkeSaEstablished, Status = V1Alpha1ConditionStatus.False, Reason = "PeerUnreachable", Message = "no answer from 198.51.100.20" }],
        };
        var validation = new TunnelValidation { Accepted = true, Reason = "Accepted", Message = "ok" };
        var placement = new Isthmus.Operator.Nodes.PlacementDecision("gw-a", "gw-b", ["gw-a", "gw-b"], []);

        var status = TunnelStatusBuilder.Build(current, 4, validation, placement, T0);

        var ike = Conditions.Find(status.Conditions, ConditionTypes.IkeSaEstablished)!;
        Assert.Equal("PeerUnreachable", ike.Reason);
        Assert.Null(ike.ObservedGeneration);
        Assert.Equal(V1Alpha1ConditionStatus.False, Conditions.Find(status.Conditions, ConditionTypes.Ready)!.Status);
        Assert.Equal(ConditionTypes.All.Count, status.Conditions!.Count + 1);
        Assert.Null(current.ObservedGeneration);
    }

    [Fact]
    public void The_same_inputs_build_the_same_status()
    {
        var validation = new TunnelValidation { Accepted = true, Reason = "Accepted", Message = "ok" };
        var placement = new Isthmus.Operator.Nodes.PlacementDecision("gw-a", null, ["gw-a"], []);
        var first = TunnelStatusBuilder.Build(null, 1, validation, placement, T0);

        var second = TunnelStatusBuilder.Build(first, 1, validation, placement, T0.AddHours(1));

        Assert.True(TunnelStatusBuilder.Same(first, second));
    }
}
