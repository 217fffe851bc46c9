using System.Text.Json;
using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Store;
using K8sSecret = k8s.Models.V1Secret;

namespace Isthmus.Operator.Tests.Fakes;

/// <summary>An <see cref="IClusterStore"/> in memory that records every write, for reconcile tests.</summary>
internal sealed class InMemoryClusterStore : IClusterStore
{
    private int _version = 1;

    public Dictionary<ObjectKey, IpsecTunnelResource> Tunnels { get; } = new();
    public Dictionary<ObjectKey, TrafficSelectorResource> Selectors { get; } = new();
    public Dictionary<ObjectKey, K8sSecret> Secrets { get; } = new();
    public List<GatewayNode> Nodes { get; } = [];
    public Dictionary<string, NodeConfig> Deployed { get; } = new(StringComparer.Ordinal);
    public bool DataplaneDeployed { get; private set; }

    /// <summary>Every write, as "verb target" lines.</summary>
    public List<string> Writes { get; } = [];

    public void Add(IpsecTunnelResource tunnel)
    {
        tunnel.Metadata.ResourceVersion ??= NextVersion();
        tunnel.Metadata.Generation ??= 1;
        tunnel.Metadata.Uid ??= Guid.NewGuid().ToString();
        Tunnels[ObjectKey.Of(tunnel)] = tunnel;
    }

    public void Add(TrafficSelectorResource selector) => Selectors[ObjectKey.Of(selector)] = selector;

    public void Add(K8sSecret secret) => Secrets[ObjectKey.Of(secret)] = secret;

    public IpsecTunnelResource? GetTunnel(ObjectKey key) => Tunnels.GetValueOrDefault(key);

    public IReadOnlyList<IpsecTunnelResource> ListTunnels() => [.. Tunnels.Values];

    public TrafficSelectorResource? GetTrafficSelector(string @namespace, string name) => Selectors.GetValueOrDefault(new ObjectKey(@namespace, name));

    public K8sSecret? GetSecret(string @namespace, string name) => Secrets.GetValueOrDefault(new ObjectKey(@namespace, name));

    public IReadOnlyList<GatewayNode> ListNodes() => [.. Nodes];

    public IReadOnlyList<DeployedNodeConfig> ListDeployedNodeConfigs() =>
        Deployed.Values.Select(c => new DeployedNodeConfig(c.NodeName, c.Hash)).ToList();

    public Task UpdateStatusAsync(IpsecTunnelResource tunnel, V1Alpha1IpsecTunnelStatus status, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Of(tunnel);
        var stored = Tunnels[key];
        if (stored.Metadata.ResourceVersion != tunnel.Metadata.ResourceVersion)
        {
            throw new InvalidOperationException("409 Conflict: the tunnel changed");
        }
        Writes.Add($"status {key}");
        stored.Status = JsonSerializer.Deserialize<V1Alpha1IpsecTunnelStatus>(JsonSerializer.Serialize(status));
        stored.Metadata.ResourceVersion = NextVersion();
        return Task.CompletedTask;
    }

    public Task<IpsecTunnelResource> AddFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken)
    {
        var stored = Tunnels[ObjectKey.Of(tunnel)];
        Writes.Add($"finalizer+ {ObjectKey.Of(tunnel)}");
        stored.Metadata.Finalizers = [.. stored.Metadata.Finalizers ?? [], finalizer];
        stored.Metadata.ResourceVersion = NextVersion();
        return Task.FromResult(stored);
    }

    public Task RemoveFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Of(tunnel);
        Writes.Add($"finalizer- {key}");
        var stored = Tunnels[key];
        stored.Metadata.Finalizers = stored.Metadata.Finalizers?.Where(f => f != finalizer).ToList();
        if (stored.Metadata.DeletionTimestamp is not null && (stored.Metadata.Finalizers?.Count ?? 0) == 0)
        {
            Tunnels.Remove(key);
        }
        return Task.CompletedTask;
    }

    public Task<TimeSpan?> RefreshReferencedSecretsAsync(IpsecTunnelResource tunnel, CancellationToken cancellationToken) =>
        Task.FromResult<TimeSpan?>(null);

    public Task<bool> ApplyNodeConfigAsync(NodeConfig config, CancellationToken cancellationToken)
    {
        Writes.Add($"apply {config.NodeName}");
        Deployed[config.NodeName] = config;
        return Task.FromResult(true);
    }

    public Task DeleteNodeConfigAsync(string nodeName, CancellationToken cancellationToken)
    {
        Writes.Add($"delete {nodeName}");
        Deployed.Remove(nodeName);
        return Task.CompletedTask;
    }

    public Task EnsureDataplaneAsync(CancellationToken cancellationToken)
    {
        if (!DataplaneDeployed)
        {
            Writes.Add("dataplane");
            DataplaneDeployed = true;
        }
        return Task.CompletedTask;
    }

    private string NextVersion() => (++_version).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
