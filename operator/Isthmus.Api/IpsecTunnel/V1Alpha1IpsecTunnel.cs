using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// An IPsecTunnel: one IKEv2/IPsec site-to-site tunnel to a remote peer (group <c>ipsec.isthmus.dev</c>,
/// version <c>v1alpha1</c>).
/// </summary>
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
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    /// <summary>Kind is the REST resource this object represents.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Desired state of the tunnel.</summary>
    [JsonPropertyName("spec")]
    public V1Alpha1IpsecTunnelSpec Spec { get; set; } = new();

    /// <summary>Observed state of the tunnel, written by the operator and the IKE daemon.</summary>
    [JsonPropertyName("status")]
    public V1Alpha1IpsecTunnelStatus? Status { get; set; }
}
