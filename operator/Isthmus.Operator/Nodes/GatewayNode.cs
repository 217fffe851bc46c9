namespace Isthmus.Operator.Nodes;

/// <summary>
/// What placement needs to know about a node: its name, labels, whether its Ready condition is True, and
/// whether it is cordoned (no new tunnels are placed on a cordoned node; a tunnel already there stays while
/// the node is Ready).
/// </summary>
public sealed record GatewayNode(string Name, IReadOnlyDictionary<string, string> Labels, bool Ready, bool Unschedulable = false, string? Uid = null)
{
    /// <summary>Builds the view of a core/v1 Node.</summary>
    public static GatewayNode From(k8s.Models.V1Node node)
    {
        var ready = node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;
        return new GatewayNode(
            node.Metadata?.Name ?? "",
            node.Metadata?.Labels is { } labels ? new Dictionary<string, string>(labels) : new Dictionary<string, string>(),
            ready,
            node.Spec?.Unschedulable == true,
            node.Metadata?.Uid);
    }
}
