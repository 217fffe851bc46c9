using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Runtime.Cache;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Maps changes of the objects a tunnel depends on to the tunnels to reconcile: a TrafficSelector to the
/// tunnels of its namespace that name it, a Secret to the tunnels whose PSK it holds, a Node to the tunnels
/// that could run there or run there now, and one of the operator's own node objects (config Secret, IKE
/// pod) to the tunnels active on that node.
/// </summary>
public static class TunnelEventMapper
{
    public static IEnumerable<ObjectKey> ForTrafficSelector(IEnumerable<V1Alpha1IpsecTunnel> tunnels, string @namespace, string name) =>
        tunnels
            .Where(t => t.Metadata.NamespaceProperty == @namespace && (t.Spec.TrafficSelectors?.Refs?.Contains(name) ?? false))
            .Select(ObjectKey.Of);

    public static IEnumerable<ObjectKey> ForSecret(IEnumerable<V1Alpha1IpsecTunnel> tunnels, string @namespace, string name) =>
        tunnels
            .Where(t => t.Metadata.NamespaceProperty == @namespace && t.Spec.Authentication?.Psk?.SecretRef?.Name == name)
            .Select(ObjectKey.Of);

    public static IEnumerable<ObjectKey> ForNode(IEnumerable<V1Alpha1IpsecTunnel> tunnels, GatewayNode node, string gatewayLabel = Placement.DefaultGatewayLabel) =>
        tunnels
            .Where(t => t.Status?.ActiveNode == node.Name || Placement.Matches(node, t.Spec.NodeSelector, gatewayLabel))
            .Select(ObjectKey.Of);

    public static IEnumerable<ObjectKey> ForActiveNode(IEnumerable<V1Alpha1IpsecTunnel> tunnels, string nodeName) =>
        tunnels.Where(t => t.Status?.ActiveNode == nodeName).Select(ObjectKey.Of);

    /// <summary>
    /// Whether a Node update matters for placement: its readiness, cordon or labels changed (heartbeat-only
    /// status updates, which arrive every few seconds per node, do not).
    /// </summary>
    public static bool NodeChangeMatters(GatewayNode old, GatewayNode @new) =>
        old.Ready != @new.Ready
        || old.Unschedulable != @new.Unschedulable
        || old.Labels.Count != @new.Labels.Count
        || old.Labels.Any(p => !@new.Labels.TryGetValue(p.Key, out var v) || v != p.Value);
}
