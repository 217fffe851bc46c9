using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Observed state of an IPsecTunnel, written by the operator (placement, validation) and the IKE daemon (SAs).</summary>
public sealed class V1Alpha1IpsecTunnelStatus
{
    /// <summary>The metadata.generation this status describes.</summary>
    [Minimum(0)]
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    /// <summary>
    /// Conditions: Ready, Accepted (spec valid and references resolved), Scheduled, IkeSaEstablished,
    /// ChildSaEstablished, Degraded, WeakCryptography.
    /// </summary>
    [ListType("map", "type")]
    [MaxItems(16)]
    [JsonPropertyName("conditions")]
    public List<V1Alpha1Condition>? Conditions { get; set; }

    /// <summary>Name of the node currently running the tunnel's IKE SA.</summary>
    [MaxLength(253)]
    [JsonPropertyName("activeNode")]
    public string? ActiveNode { get; set; }

    /// <summary>The established IKE SA, if any.</summary>
    [JsonPropertyName("ikeSa")]
    public V1Alpha1IkeSaStatus? IkeSa { get; set; }

    /// <summary>The installed Child SAs.</summary>
    [MaxItems(64)]
    [JsonPropertyName("childSas")]
    public List<V1Alpha1ChildSaStatus>? ChildSas { get; set; }

    /// <summary>Number of completed IKE and Child SA rekeys since the tunnel was placed.</summary>
    [Minimum(0)]
    [JsonPropertyName("rekeyCount")]
    public long? RekeyCount { get; set; }

    /// <summary>Time of the last completed rekey.</summary>
    [MaxLength(64)]
    [JsonPropertyName("lastRekeyAt")]
    public DateTimeOffset? LastRekeyAt { get; set; }
}
