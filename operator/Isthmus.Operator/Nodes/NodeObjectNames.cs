using System.Security.Cryptography;
using System.Text;

namespace Isthmus.Operator.Nodes;

/// <summary>Names and labels of the per-node objects the operator owns.</summary>
public static class NodeObjectNames
{
    public const string ConfigSecretPrefix = "isthmus-node-";
    public const string IkePodPrefix = "isthmus-iked-";
    public const string DataplaneName = "isthmus-dataplane";
    public const string ConfigKey = "tunnels.yaml";
    public const string ConfigMountPath = "/etc/isthmus";
    public const string RuntimeDirectory = "/run/isthmus";

    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string ManagedBy = "isthmus-operator";
    public const string ComponentLabel = "app.kubernetes.io/component";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string NodeLabel = "ipsec.isthmus.dev/node";
    public const string ConfigHashAnnotation = "ipsec.isthmus.dev/config-hash";
    public const string SpecHashAnnotation = "ipsec.isthmus.dev/spec-hash";
    public const string NodeAnnotation = "ipsec.isthmus.dev/node";

    /// <summary>The config Secret of a node: <c>isthmus-node-&lt;node&gt;</c>.</summary>
    public static string ConfigSecret(string node) => Bounded(ConfigSecretPrefix, node, 253);

    /// <summary>The IKE pod of a node: <c>isthmus-iked-&lt;node&gt;</c>.</summary>
    public static string IkePod(string node) => Bounded(IkePodPrefix, node, 253);

    /// <summary>A label value naming the node (label values are limited to 63 characters).</summary>
    public static string NodeLabelValue(string node) => Bounded("", node, 63);

    private static string Bounded(string prefix, string node, int max)
    {
        var name = prefix + node;
        if (name.Length <= max)
        {
            return name;
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(node)))[..10];
        return name[..(max - 11)].TrimEnd('.', '-') + "-" + hash;
    }
}
