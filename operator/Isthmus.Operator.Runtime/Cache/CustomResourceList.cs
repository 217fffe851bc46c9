using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>The list form of a custom resource, as the API server returns it (<c>items</c> and list metadata).</summary>
public sealed class CustomResourceList<T> : IMetadata<V1ListMeta>
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public List<T> Items { get; set; } = [];
}
