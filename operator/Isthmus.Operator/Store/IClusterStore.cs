using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;

namespace Isthmus.Operator.Store;

/// <summary>
/// Everything <see cref="Tunnels.IpsecTunnelReconciler"/> reads and writes. Reads come from a local view
/// (the informer caches in Kubernetes; the loaded manifests in standalone mode) and never block. Writes
/// are idempotent: applying what is already there changes nothing. Two implementations are planned: the
/// Kubernetes API (<see cref="KubernetesClusterStore"/>) and a directory of manifests on a box without
/// Kubernetes (one local node, configs written as files, the IKE daemon run as a process).
/// </summary>
public interface IClusterStore
{
    IpsecTunnelResource? GetTunnel(ObjectKey key);

    IReadOnlyList<IpsecTunnelResource> ListTunnels();

    TrafficSelectorResource? GetTrafficSelector(string @namespace, string name);

    /// <summary>A Secret; its values are only passed on into node configs, never logged.</summary>
    k8s.Models.V1Secret? GetSecret(string @namespace, string name);

    /// <summary>
    /// Makes the Secrets <paramref name="tunnel"/> names readable by <see cref="GetSecret"/> where the local view does
    /// not keep them current on its own (in Kubernetes: Secrets without the tunnel-secret label, read with a GET).
    /// Returns how soon the tunnel should be reconciled again to see them change, or null when they are watched.
    /// </summary>
    Task<TimeSpan?> RefreshReferencedSecretsAsync(IpsecTunnelResource tunnel, CancellationToken cancellationToken);

    IReadOnlyList<GatewayNode> ListNodes();

    /// <summary>The node configurations currently deployed (config Secret and IKE pod in Kubernetes).</summary>
    IReadOnlyList<DeployedNodeConfig> ListDeployedNodeConfigs();

    /// <summary>
    /// Writes <paramref name="status"/> through the status subresource only (never spec), guarded by the
    /// tunnel's resourceVersion: a concurrent change fails the write (and the reconcile is retried).
    /// </summary>
    Task UpdateStatusAsync(IpsecTunnelResource tunnel, V1Alpha1IpsecTunnelStatus status, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="finalizer"/> (metadata only); returns the updated tunnel.</summary>
    Task<IpsecTunnelResource> AddFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="finalizer"/> (metadata only).</summary>
    Task RemoveFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken);

    /// <summary>
    /// Deploys <paramref name="config"/> on its node (config Secret, then the IKE pod running it); true when
    /// anything was written, false when both were already in place.
    /// </summary>
    Task<bool> ApplyNodeConfigAsync(NodeConfig config, CancellationToken cancellationToken);

    /// <summary>Removes the node's IKE pod and config.</summary>
    Task DeleteNodeConfigAsync(string nodeName, CancellationToken cancellationToken);

    /// <summary>Makes sure the ESP dataplane runs on the gateway nodes (a DaemonSet in Kubernetes); a no-op when it is in place.</summary>
    Task EnsureDataplaneAsync(CancellationToken cancellationToken);
}
