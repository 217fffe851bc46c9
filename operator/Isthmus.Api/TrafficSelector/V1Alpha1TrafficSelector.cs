using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// A TrafficSelector: which traffic a tunnel protects, as local and remote address ranges with optional
/// protocol and ports. Maps 1:1 to RFC 7296 TSi/TSr payloads (section 3.13).
/// </summary>
[KubernetesEntity(V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, KindName, Plural, ShortNames = ["ts"], Categories = ["isthmus"])]
[PrinterColumn(1, "LOCAL", "string", ".spec.local[*].cidr", Description = "Local selector prefixes (ranges are shown by kubectl describe).")]
[PrinterColumn(2, "REMOTE", "string", ".spec.remote[*].cidr", Description = "Remote selector prefixes (ranges are shown by kubectl describe).")]
[PrinterColumn(3, "AGE", "date", ".metadata.creationTimestamp", Description = "Time since the selector was created.")]
public sealed class V1Alpha1TrafficSelector
{
    /// <summary>The kind of this resource.</summary>
    public const string KindName = "TrafficSelector";

    /// <summary>The plural resource name.</summary>
    public const string Plural = "trafficselectors";

    /// <summary>APIVersion defines the versioned schema of this representation of an object.</summary>
    [MaxLength(64)]
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1IpsecTunnel.GroupVersion;

    /// <summary>Kind is the REST resource this object represents.</summary>
    [MaxLength(64)]
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>The local and remote selector entries.</summary>
    [Required]
    [JsonPropertyName("spec")]
    public V1Alpha1TrafficSelectorSpec Spec { get; set; } = new();
}
