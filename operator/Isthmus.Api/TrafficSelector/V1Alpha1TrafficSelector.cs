using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// A TrafficSelector: which traffic a tunnel protects, as local and remote address ranges with optional
/// protocol and ports. Maps 1:1 to RFC 7296 TSi/TSr payloads (section 3.13).
/// </summary>
public sealed class V1Alpha1TrafficSelector
{
    /// <summary>The kind of this resource.</summary>
    public const string KindName = "TrafficSelector";

    /// <summary>The plural resource name.</summary>
    public const string Plural = "trafficselectors";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1IpsecTunnel.GroupVersion;

    /// <summary>Kind is the REST resource this object represents.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The local and remote selector entries.</summary>
    [JsonPropertyName("spec")]
    public V1Alpha1TrafficSelectorSpec Spec { get; set; } = new();
}
