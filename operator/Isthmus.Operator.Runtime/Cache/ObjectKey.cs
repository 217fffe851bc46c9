using k8s;
using k8s.Models;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>Identifies one object of a kind: its namespace (empty for cluster-scoped kinds) and name.</summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> obj) =>
        new(obj.Metadata?.NamespaceProperty ?? "", obj.Metadata?.Name ?? "");

    public override string ToString() => Namespace.Length == 0 ? Name : $"{Namespace}/{Name}";
}
