using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// An IPsecTunnel: one IKEv2/IPsec site-to-site tunnel to a remote peer (group <c>ipsec.isthmus.dev</c>,
/// version <c>v1alpha1</c>).
/// </summary>
[KubernetesEntity(Group, Version, KindName, Plural, ShortNames = ["ipt"], Categories = ["isthmus"], StatusSubresource = true)]
[PrinterColumn(1, "READY", "string", ".status.conditions[?(@.type==\"Ready\")].status", Description = "Status of the Ready condition: the IKE SA and every Child SA are up.")]
[PrinterColumn(2, "PEER", "string", ".spec.peer.address", Description = "Address or DNS name of the remote gateway.")]
[PrinterColumn(3, "NODE", "string", ".status.activeNode", Description = "Gateway node running the tunnel's IKE SA.")]
[PrinterColumn(4, "IKE", "string", ".status.conditions[?(@.type==\"IkeSaEstablished\")].reason", Description = "Reason of the IkeSaEstablished condition, e.g. Established or PeerUnreachable.")]
[PrinterColumn(5, "CHILD SAS", "string", ".status.childSas[*].name", Description = "Names of the installed Child SAs.")]
[PrinterColumn(6, "REKEYS", "integer", ".status.rekeyCount", Description = "Completed IKE and Child SA rekeys since the tunnel was placed.")]
[PrinterColumn(7, "AGE", "date", ".metadata.creationTimestamp", Description = "Time since the tunnel was created.")]
[PrinterColumn(8, "IKE ALGORITHMS", "string", ".status.ikeSa.algorithms", Priority = 1, Description = "Negotiated IKE SA algorithms.")]
public sealed class V1Alpha1IpsecTunnel
{
    /// <summary>The API group of this resource.</summary>
    public const string Group = "ipsec.isthmus.dev";

    /// <summary>The API version of this resource.</summary>
    public const string Version = "v1alpha1";

    /// <summary>The kind of this resource.</summary>
    public const string KindName = "IpsecTunnel";

    /// <summary>The plural resource name.</summary>
    public const string Plural = "ipsectunnels";

    /// <summary>The value of <c>apiVersion</c>: <c>ipsec.isthmus.dev/v1alpha1</c>.</summary>
    public const string GroupVersion = Group + "/" + Version;

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    [MaxLength(64)]
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    /// <summary>Kind is the REST resource this object represents.</summary>
    [MaxLength(64)]
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Desired state of the tunnel.</summary>
    [Required]
    [JsonPropertyName("spec")]
    public V1Alpha1IpsecTunnelSpec Spec { get; set; } = new();

    /// <summary>Observed state of the tunnel, written by the operator and the IKE daemon.</summary>
    [JsonPropertyName("status")]
    public V1Alpha1IpsecTunnelStatus? Status { get; set; }
}
