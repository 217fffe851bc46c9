using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>One aspect of the tunnel's state, in the standard Kubernetes condition form (meta/v1 Condition).</summary>
public sealed class V1Alpha1Condition
{
    /// <summary>Condition type in CamelCase, e.g. Ready or IkeSaEstablished.</summary>
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    [JsonPropertyName("status")]
    public V1Alpha1ConditionStatus Status { get; set; } = V1Alpha1ConditionStatus.Unknown;

    /// <summary>Machine-readable CamelCase reason for the last transition, e.g. NoProposalChosen.</summary>
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>Human-readable details of the last transition.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When the status last changed.</summary>
    [JsonPropertyName("lastTransitionTime")]
    public DateTimeOffset? LastTransitionTime { get; set; }

    /// <summary>The metadata.generation the condition was set for.</summary>
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}
