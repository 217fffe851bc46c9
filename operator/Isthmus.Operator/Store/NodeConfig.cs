using Isthmus.Operator.Runtime.Cache;

namespace Isthmus.Operator.Store;

/// <summary>
/// The rendered configuration of one gateway node: the YAML manifests (tunnels, their TrafficSelectors and
/// PSK Secrets) that the node's IKE daemon loads with <c>isthmus-iked run --config</c>, and their SHA-256.
/// Holds key material: <see cref="ToString"/> shows the node, the tunnels and the hash only.
/// </summary>
public sealed class NodeConfig
{
    public NodeConfig(string nodeName, string? nodeUid, byte[] manifests, string hash, IReadOnlyList<ObjectKey> tunnels)
    {
        NodeName = nodeName;
        NodeUid = nodeUid;
        Manifests = manifests;
        Hash = hash;
        Tunnels = tunnels;
    }

    public string NodeName { get; }

    /// <summary>The Node's uid, used as owner of the node's objects (so they go when the Node goes).</summary>
    public string? NodeUid { get; }

    /// <summary>UTF-8 YAML, several documents. Contains pre-shared keys.</summary>
    public byte[] Manifests { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Manifests"/>.</summary>
    public string Hash { get; }

    /// <summary>The tunnels in the config, sorted.</summary>
    public IReadOnlyList<ObjectKey> Tunnels { get; }

    public override string ToString() => $"node {NodeName}: {Tunnels.Count} tunnel(s), config sha256 {Hash}";
}

/// <summary>A node configuration as currently deployed: the node and the hash of the manifests it runs.</summary>
public sealed record DeployedNodeConfig(string NodeName, string Hash);
