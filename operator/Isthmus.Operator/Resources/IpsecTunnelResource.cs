using System.Text.Json.Serialization;
using Isthmus.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.Resources;

/// <summary>
/// An IpsecTunnel as the API server serves it: the Isthmus spec and status types with Kubernetes' full
/// object metadata (finalizers, deletionTimestamp, generation, uid), which the operator needs and the
/// manifest-only <see cref="V1Alpha1IpsecTunnel"/> does not carry.
/// </summary>
public sealed class IpsecTunnelResource : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = V1Alpha1IpsecTunnel.GroupVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = V1Alpha1IpsecTunnel.KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public V1Alpha1IpsecTunnelSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public V1Alpha1IpsecTunnelStatus? Status { get; set; }

    /// <summary>The manifest form (as the IKE daemon loads it): name, namespace, labels and spec.</summary>
    public V1Alpha1IpsecTunnel ToApi() => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = Metadata.Name,
            NamespaceProperty = Metadata.NamespaceProperty,
            Labels = Metadata.Labels is null ? null : new Dictionary<string, string>(Metadata.Labels),
            Uid = Metadata.Uid,
            Generation = Metadata.Generation,
            ResourceVersion = Metadata.ResourceVersion,
        },
        Spec = Spec,
        Status = Status,
    };

    public override string ToString() => $"IpsecTunnel {Metadata.NamespaceProperty}/{Metadata.Name}";
}
