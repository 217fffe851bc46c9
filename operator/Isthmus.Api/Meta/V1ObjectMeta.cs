using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// The subset of Kubernetes <c>metadata</c> (meta/v1 ObjectMeta) that Isthmus reads. A stand-in until
/// the operator references KubernetesClient; the JSON names are the Kubernetes ones.
/// </summary>
public sealed class V1ObjectMeta
{
    /// <summary>Name of the object, unique within its namespace and kind.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Namespace of the object. Manifests loaded from files without one are placed in <c>default</c>.</summary>
    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    /// <summary>Labels: string keys and values used to select objects.</summary>
    [JsonPropertyName("labels")]
    public Dictionary<string, string>? Labels { get; set; }

    /// <summary>Annotations: non-identifying string metadata.</summary>
    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>Unique identifier assigned by the API server.</summary>
    [JsonPropertyName("uid")]
    public string? Uid { get; set; }

    /// <summary>Sequence number of the desired state, incremented by the API server on every spec change.</summary>
    [JsonPropertyName("generation")]
    public long? Generation { get; set; }

    /// <summary>Opaque version of the object used for optimistic concurrency.</summary>
    [JsonPropertyName("resourceVersion")]
    public string? ResourceVersion { get; set; }
}
