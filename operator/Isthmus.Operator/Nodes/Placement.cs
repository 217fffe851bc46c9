namespace Isthmus.Operator.Nodes;

/// <summary>The outcome of placing one tunnel.</summary>
/// <param name="Active">The node that runs the tunnel's IKE SA, or null when none is eligible.</param>
/// <param name="Standby">The node the tunnel moves to if the active node fails, or null.</param>
/// <param name="Candidates">Nodes matching the tunnel's node selector, sorted by name.</param>
/// <param name="NotReady">Candidates whose Ready condition is not True.</param>
public sealed record PlacementDecision(string? Active, string? Standby, IReadOnlyList<string> Candidates, IReadOnlyList<string> NotReady)
{
    public bool IsPlaced => Active is not null;
}

/// <summary>
/// Active/standby placement of tunnels on gateway nodes. Deterministic, so that every reconcile (and every
/// operator replica) computes the same answer from the same state: candidates are the nodes matching the
/// tunnel's nodeSelector (or, without one, the nodes labelled as gateways), sorted by name. The current
/// active node is kept while it is Ready (no flapping back after a failover); otherwise the first Ready,
/// schedulable candidate becomes active. The standby is the next Ready, schedulable candidate.
/// </summary>
public static class Placement
{
    /// <summary>The label that marks a node as an Isthmus gateway when a tunnel has no nodeSelector.</summary>
    public const string DefaultGatewayLabel = "ipsec.isthmus.dev/gateway";

    public static PlacementDecision Choose(IReadOnlyDictionary<string, string>? nodeSelector, IEnumerable<GatewayNode> nodes, string? currentActive, string gatewayLabel = DefaultGatewayLabel)
    {
        var candidates = nodes
            .Where(n => Matches(n, nodeSelector, gatewayLabel))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
        var notReady = candidates.Where(n => !n.Ready).Select(n => n.Name).ToList();
        GatewayNode? active = null;
        if (currentActive is not null)
        {
            active = candidates.FirstOrDefault(n => n.Name == currentActive && n.Ready);
        }
        active ??= candidates.FirstOrDefault(n => n.Ready && !n.Unschedulable);
        var standby = candidates.FirstOrDefault(n => n.Ready && !n.Unschedulable && n != active);
        return new PlacementDecision(active?.Name, standby?.Name, candidates.Select(n => n.Name).ToList(), notReady);
    }

    /// <summary>Whether <paramref name="node"/> is a candidate for a tunnel with <paramref name="nodeSelector"/>.</summary>
    public static bool Matches(GatewayNode node, IReadOnlyDictionary<string, string>? nodeSelector, string gatewayLabel = DefaultGatewayLabel)
    {
        if (nodeSelector is null || nodeSelector.Count == 0)
        {
            return node.Labels.TryGetValue(gatewayLabel, out var value) && value == "true";
        }
        foreach (var (key, value) in nodeSelector)
        {
            if (!node.Labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }
        return true;
    }
}
