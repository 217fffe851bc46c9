using System.Text.Json.Serialization;
using Isthmus.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.Resources;

/// <summary>A TrafficSelector as the API server serves it (Isthmus spec, Kubernetes metadata).</summary>
public sealed class TrafficSelectorResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1IpsecTunnel.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = V1Alpha1TrafficSelector.KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public V1Alpha1TrafficSelectorSpec Spec { get; set; } = new();

    public V1Alpha1TrafficSelector ToApi() => new()
    {
        Metadata = new V1ObjectMeta { Name = Metadata.Name, NamespaceProperty = Metadata.NamespaceProperty },
        Spec = Spec,
    };

    public override string ToString() => $"TrafficSelector {Metadata.NamespaceProperty}/{Metadata.Name}";
}
