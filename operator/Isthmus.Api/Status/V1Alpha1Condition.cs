using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>One aspect of the tunnel's state, in the standard Kubernetes condition form (meta/v1 Condition).</summary>
public sealed class V1Alpha1Condition
{
    /// <summary>Condition type in CamelCase, e.g. Ready or IkeSaEstablished.</summary>
    [Required]
    [MaxLength(316)]
    [Pattern(@"^[A-Za-z][A-Za-z0-9]*$")]
    [JsonPropertyName("type")]
    public string Type { get; set; } = "";

    /// <summary>True, False or Unknown.</summary>
    [Required]
    [JsonPropertyName("status")]
    public V1Alpha1ConditionStatus Status { get; set; } = V1Alpha1ConditionStatus.Unknown;

    /// <summary>Machine-readable CamelCase reason for the last transition, e.g. NoProposalChosen.</summary>
    [MaxLength(1024)]
    [Pattern(@"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$")]
    [JsonPropertyName("reason")]
    public string? Reason { get; set; }

    /// <summary>Human-readable details of the last transition.</summary>
    [MaxLength(32768)]
    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary>When the status last changed.</summary>
    [MaxLength(64)]
    [JsonPropertyName("lastTransitionTime")]
    public DateTimeOffset? LastTransitionTime { get; set; }

    /// <summary>The metadata.generation the condition was set for.</summary>
    [Minimum(0)]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }
}
