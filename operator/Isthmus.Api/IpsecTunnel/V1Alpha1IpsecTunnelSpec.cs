using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Desired state of an IPsecTunnel.</summary>
[CelRule("self.startAction != 'OnDemand'", Message = "startAction OnDemand is reserved and not supported yet: use Initiate or Respond", FieldPath = ".startAction")]
[CelRule("self.startAction == 'Respond' || has(self.peer.address)", Message = "peer.address is required when startAction is Initiate: this end must know whom to contact", FieldPath = ".peer")]
public sealed class V1Alpha1IpsecTunnelSpec
{
    /// <summary>
    /// Whether this end initiates the IKE SA (Initiate), waits for the peer (Respond), or initiates when
    /// traffic first matches the selectors (OnDemand). Default: Initiate.
    /// </summary>
    [Default("Initiate")]
    [JsonPropertyName("startAction")]
    public V1Alpha1StartAction StartAction { get; set; } = V1Alpha1StartAction.Initiate;

    /// <summary>
    /// Labels a node must carry to act as a gateway for this tunnel. Empty: any node labelled as an Isthmus gateway.
    /// </summary>
    [MaxProperties(16)]
    [MaxLength(63)]
    [JsonPropertyName("nodeSelector")]
    public Dictionary<string, string>? NodeSelector { get; set; }

    /// <summary>This end of the tunnel: the address to use and the IKE identity to present.</summary>
    [Required]
    [JsonPropertyName("local")]
    public V1Alpha1LocalEndpoint Local { get; set; } = new();

    /// <summary>The remote gateway: its address or DNS name, UDP port and expected IKE identity.</summary>
    [Required]
    [JsonPropertyName("peer")]
    public V1Alpha1PeerEndpoint Peer { get; set; } = new();

    /// <summary>How both ends authenticate each other in IKE_AUTH.</summary>
    [Required]
    [JsonPropertyName("authentication")]
    public V1Alpha1Authentication Authentication { get; set; } = new();

    /// <summary>Parameters of the IKE SA (the control channel): proposals, lifetimes, DPD, NAT traversal.</summary>
    [Default("{}")]
    [JsonPropertyName("ike")]
    public V1Alpha1IkeSaSpec Ike { get; set; } = new();

    /// <summary>Parameters of the Child SA (ESP): proposals with optional PFS group, lifetimes, replay window.</summary>
    [Default("{}")]
    [JsonPropertyName("child")]
    public V1Alpha1ChildSaSpec Child { get; set; } = new();

    /// <summary>The traffic this tunnel protects: TrafficSelector resources by name and/or inline entries.</summary>
    [Required]
    [JsonPropertyName("trafficSelectors")]
    public V1Alpha1TunnelTrafficSelectors TrafficSelectors { get; set; } = new();
}
