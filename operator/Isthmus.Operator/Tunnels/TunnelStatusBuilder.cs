using System.Text.Json;
using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Computes the status the operator wants for a tunnel from the current status (keeping what the IKE
/// daemon owns: IKE/Child SA details, rekey counters and its two conditions), the validation and the
/// placement. Pure: same inputs, same status.
/// </summary>
public static class TunnelStatusBuilder
{
    private static readonly JsonSerializerOptions Json = new();

    public static V1Alpha1IpsecTunnelStatus Build(V1Alpha1IpsecTunnelStatus? current, long? generation, TunnelValidation validation, PlacementDecision? placement, DateTimeOffset now)
    {
        var status = Clone(current) ?? new V1Alpha1IpsecTunnelStatus();
        var conditions = status.Conditions ?? [];
        status.ObservedGeneration = generation;

        if (validation.Accepted)
        {
            Conditions.Set(conditions, ConditionTypes.Accepted, V1Alpha1ConditionStatus.True, TunnelValidator.ReasonAccepted, validation.Message, generation, now);
            if (validation.WeakCryptography.Count > 0)
            {
                Conditions.Set(conditions, ConditionTypes.WeakCryptography, V1Alpha1ConditionStatus.True, "WeakAlgorithms", string.Join("; ", validation.WeakCryptography), generation, now);
            }
            else
            {
                Conditions.Set(conditions, ConditionTypes.WeakCryptography, V1Alpha1ConditionStatus.False, "StrongAlgorithms", "every proposal uses algorithms recommended by RFC 8247 and RFC 8221", generation, now);
            }
        }
        else
        {
            Conditions.Set(conditions, ConditionTypes.Accepted, V1Alpha1ConditionStatus.False, validation.Reason, validation.Message, generation, now);
            Conditions.Set(conditions, ConditionTypes.WeakCryptography, V1Alpha1ConditionStatus.Unknown, "NotAccepted", "the spec is not accepted", generation, now);
        }

        if (!validation.Accepted || placement is null)
        {
            status.ActiveNode = null;
            Conditions.Set(conditions, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.False, "NotAccepted", "the tunnel is not placed until its spec is accepted", generation, now);
            Conditions.Set(conditions, ConditionTypes.Degraded, V1Alpha1ConditionStatus.Unknown, "NotAccepted", "the spec is not accepted", generation, now);
            Conditions.Set(conditions, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "NotAccepted", validation.Message, generation, now);
        }
        else if (!placement.IsPlaced)
        {
            status.ActiveNode = null;
            var (reason, message) = placement.Candidates.Count == 0
                ? ("NoMatchingNode", "no node matches the tunnel's nodeSelector")
                : ("NoReadyNode", $"no Ready node among the matching nodes ({string.Join(", ", placement.Candidates)})");
            Conditions.Set(conditions, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.False, reason, message, generation, now);
            Conditions.Set(conditions, ConditionTypes.Degraded, V1Alpha1ConditionStatus.True, reason, message, generation, now);
            Conditions.Set(conditions, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "NotScheduled", message, generation, now);
        }
        else
        {
            status.ActiveNode = placement.Active;
            var standby = placement.Standby is null ? "no standby node" : $"standby node {placement.Standby}";
            Conditions.Set(conditions, ConditionTypes.Scheduled, V1Alpha1ConditionStatus.True, "Placed", $"active node {placement.Active}, {standby}", generation, now);
            if (placement.NotReady.Count > 0)
            {
                Conditions.Set(conditions, ConditionTypes.Degraded, V1Alpha1ConditionStatus.True, "GatewayNotReady", $"gateway node(s) {string.Join(", ", placement.NotReady)} NotReady; running on {placement.Active}", generation, now);
            }
            else
            {
                Conditions.Set(conditions, ConditionTypes.Degraded, V1Alpha1ConditionStatus.False, "AsExpected", $"all {placement.Candidates.Count} matching gateway node(s) are Ready", generation, now);
            }
            var ike = Conditions.IsTrue(conditions, ConditionTypes.IkeSaEstablished);
            var child = Conditions.IsTrue(conditions, ConditionTypes.ChildSaEstablished);
            if (ike && child)
            {
                Conditions.Set(conditions, ConditionTypes.Ready, V1Alpha1ConditionStatus.True, "Established", $"IKE SA and Child SA established on node {placement.Active}", generation, now);
            }
            else
            {
                var waiting = ike ? "the Child SA" : "the IKE SA";
                Conditions.Set(conditions, ConditionTypes.Ready, V1Alpha1ConditionStatus.False, "Negotiating", $"waiting for the IKE daemon on node {placement.Active} to establish {waiting}", generation, now);
            }
        }

        status.Conditions = [.. conditions.OrderBy(c => Order(c.Type)).ThenBy(c => c.Type, StringComparer.Ordinal)];
        return status;
    }

    /// <summary>Whether two statuses serialize the same (then nothing needs to be written).</summary>
    public static bool Same(V1Alpha1IpsecTunnelStatus? a, V1Alpha1IpsecTunnelStatus? b) =>
        JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json);

    private static int Order(string type)
    {
        var index = -1;
        for (var i = 0; i < ConditionTypes.All.Count; i++)
        {
            if (ConditionTypes.All[i] == type)
            {
                index = i;
            }
        }
        return index < 0 ? int.MaxValue : index;
    }

    private static V1Alpha1IpsecTunnelStatus? Clone(V1Alpha1IpsecTunnelStatus? status) =>
        status is null ? null : JsonSerializer.Deserialize<V1Alpha1IpsecTunnelStatus>(JsonSerializer.Serialize(status, Json), Json);
}
