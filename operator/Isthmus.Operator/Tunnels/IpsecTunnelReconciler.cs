using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Runtime.Events;
using Isthmus.Operator.Runtime.Reconcile;
using Isthmus.Operator.Store;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Reconciles one IpsecTunnel, level-based and idempotent:
/// <list type="number">
/// <item>a deleted tunnel (deletionTimestamp set) is taken out of its node's config (the node's IKE pod and
/// config go when it was the node's last tunnel), then the finalizer is removed;</item>
/// <item>otherwise the finalizer is ensured, the tunnel validated with the daemon's own config builder
/// (Accepted, WeakCryptography), placed on a gateway node (Scheduled, Degraded, status.activeNode);</item>
/// <item>the configs of the nodes involved (the previous and the new active node) are re-rendered from
/// every tunnel placed there and deployed where they differ; the dataplane DaemonSet is ensured;</item>
/// <item>status is written last, through the status subresource, and only when it differs.</item>
/// </list>
/// Node configs are written before status so that an operator killed between the two converges on the
/// next pass: placement is a deterministic function of the cached state, so every pass computes the same
/// node for every tunnel.
/// </summary>
public sealed class IpsecTunnelReconciler : IReconciler
{
    /// <summary>The finalizer the operator puts on every tunnel it has placed.</summary>
    public const string Finalizer = "ipsec.isthmus.dev/node-config";

    private readonly IClusterStore _store;
    private readonly IEventRecorder _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _gatewayLabel;
    private readonly Ike.Config.CryptoPolicy _policy;

    public IpsecTunnelReconciler(IClusterStore store, IEventRecorder events, ILogger logger, TimeProvider? time = null, string gatewayLabel = Placement.DefaultGatewayLabel, Ike.Config.CryptoPolicy? policy = null)
    {
        _store = store;
        _events = events;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _gatewayLabel = gatewayLabel;
        _policy = policy ?? Ike.Config.CryptoPolicy.AllowAll;
    }

    public string Name => "ipsectunnel";

    public async Task<Result> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var tunnel = _store.GetTunnel(key);
        if (tunnel is null)
        {
            // Gone (its finalizer was already removed): nothing of it is left in any node config.
            return Result.Done;
        }
        var nodes = _store.ListNodes();
        var previousNode = tunnel.Status?.ActiveNode;

        if (tunnel.Metadata.DeletionTimestamp is not null)
        {
            if (!Runtime.Finalizers.FinalizerPatch.Has(tunnel.Metadata, Finalizer))
            {
                return Result.Done;
            }
            var computed = Placement.Choose(tunnel.Spec.NodeSelector, nodes, previousNode, _gatewayLabel).Active;
            await SyncNodesAsync(nodes, key, null, null, [previousNode, computed], cancellationToken).ConfigureAwait(false);
            await _store.RemoveFinalizerAsync(tunnel, Finalizer, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Removed the tunnel from node {Node} and released its finalizer", previousNode ?? "(none)");
            return Result.Done;
        }

        if (!Runtime.Finalizers.FinalizerPatch.Has(tunnel.Metadata, Finalizer))
        {
            tunnel = await _store.AddFinalizerAsync(tunnel, Finalizer, cancellationToken).ConfigureAwait(false);
        }

        var recheckSecrets = await _store.RefreshReferencedSecretsAsync(tunnel, cancellationToken).ConfigureAwait(false);
        var validation = TunnelValidator.Validate(tunnel, _store, _policy);
        PlacementDecision? placement = validation.Accepted
            ? Placement.Choose(tunnel.Spec.NodeSelector, nodes, previousNode, _gatewayLabel)
            : null;
        var activeNode = placement?.Active;

        await SyncNodesAsync(nodes, key, activeNode, validation, [previousNode, activeNode], cancellationToken).ConfigureAwait(false);
        if (activeNode is not null)
        {
            await _store.EnsureDataplaneAsync(cancellationToken).ConfigureAwait(false);
        }

        var status = TunnelStatusBuilder.Build(tunnel.Status, tunnel.Metadata.Generation, validation, placement, _time.GetUtcNow());
        var previousStatus = tunnel.Status;
        if (!TunnelStatusBuilder.Same(previousStatus, status))
        {
            await _store.UpdateStatusAsync(tunnel, status, cancellationToken).ConfigureAwait(false);
            await RecordTransitionsAsync(tunnel, previousStatus, validation, placement, previousNode, cancellationToken).ConfigureAwait(false);
        }
        // A PSK Secret without the tunnel-secret label is not watched: come back to see it rotate.
        return recheckSecrets is { } after ? Result.RequeueAfter(after) : Result.Done;
    }

    /// <summary>
    /// Re-renders the configs of <paramref name="nodeNames"/> from every tunnel placed on them (with
    /// <paramref name="key"/> placed on <paramref name="keyNode"/>), deploying where the hash differs.
    /// A deployed node config with no tunnel left on it (whether named or left behind by an interrupted
    /// pass) is removed. <paramref name="keyValidation"/> is the tunnel's own, already made in this pass.
    /// </summary>
    private async Task SyncNodesAsync(IReadOnlyList<GatewayNode> nodes, ObjectKey key, string? keyNode, TunnelValidation? keyValidation, IEnumerable<string?> nodeNames, CancellationToken cancellationToken)
    {
        var deployed = _store.ListDeployedNodeConfigs().ToDictionary(d => d.NodeName, d => d.Hash, StringComparer.Ordinal);
        var placedOn = new Dictionary<string, List<IpsecTunnelResource>>(StringComparer.Ordinal);
        foreach (var other in _store.ListTunnels())
        {
            var otherKey = ObjectKey.Of(other);
            string? node;
            if (otherKey == key)
            {
                node = keyNode;
            }
            else if (other.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }
            else
            {
                node = Placement.Choose(other.Spec.NodeSelector, nodes, other.Status?.ActiveNode, _gatewayLabel).Active;
            }
            if (node is not null)
            {
                if (!placedOn.TryGetValue(node, out var list))
                {
                    placedOn[node] = list = [];
                }
                list.Add(other);
            }
        }
        var targets = nodeNames.Where(n => n is not null).Select(n => n!)
            .Concat(deployed.Keys.Where(n => !placedOn.ContainsKey(n)))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        // New and changed configs first (the standby takes over before the failed node is cleaned up).
        var empty = new List<string>();
        foreach (var nodeName in targets)
        {
            var validations = (placedOn.TryGetValue(nodeName, out var placed) ? placed : [])
                .Select(t => keyValidation is not null && ObjectKey.Of(t) == key ? keyValidation : TunnelValidator.Validate(t, _store, _policy))
                .Where(v => v.Accepted)
                .ToList();
            if (validations.Count == 0)
            {
                empty.Add(nodeName);
                continue;
            }
            var uid = nodes.FirstOrDefault(n => n.Name == nodeName)?.Uid;
            var config = NodeConfigRenderer.Render(nodeName, uid, validations);
            if (deployed.TryGetValue(nodeName, out var hash) && hash == config.Hash)
            {
                continue;
            }
            if (await _store.ApplyNodeConfigAsync(config, cancellationToken).ConfigureAwait(false))
            {
                _logger.LogInformation("Deployed {Config}", config.ToString());
            }
        }
        foreach (var nodeName in empty.Where(deployed.ContainsKey))
        {
            await _store.DeleteNodeConfigAsync(nodeName, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Removed the IKE pod and config of node {Node}: no tunnel is placed there", nodeName);
        }
    }

    private async Task RecordTransitionsAsync(IpsecTunnelResource tunnel, Api.V1Alpha1.V1Alpha1IpsecTunnelStatus? previousStatus, TunnelValidation validation, PlacementDecision? placement, string? previousNode, CancellationToken cancellationToken)
    {
        var regarding = new EventReference(tunnel.ApiVersion, tunnel.Kind, tunnel.Metadata.NamespaceProperty ?? "", tunnel.Metadata.Name ?? "", tunnel.Metadata.Uid);
        var wasAccepted = Conditions.Find(previousStatus?.Conditions, ConditionTypes.Accepted);
        if (!validation.Accepted)
        {
            if (wasAccepted?.Status != Api.V1Alpha1.V1Alpha1ConditionStatus.False || wasAccepted.Message != validation.Message)
            {
                await _events.RecordAsync(regarding, EventType.Warning, validation.Reason, "Validate", validation.Message, cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        if (wasAccepted?.Status == Api.V1Alpha1.V1Alpha1ConditionStatus.False)
        {
            await _events.RecordAsync(regarding, EventType.Normal, TunnelValidator.ReasonAccepted, "Validate", "the spec is now valid and its references resolve", cancellationToken).ConfigureAwait(false);
        }
        if (placement is null)
        {
            return;
        }
        if (placement.Active is null)
        {
            if (previousNode is not null || Conditions.Find(previousStatus?.Conditions, ConditionTypes.Scheduled)?.Status != Api.V1Alpha1.V1Alpha1ConditionStatus.False)
            {
                await _events.RecordAsync(regarding, EventType.Warning, "NoReadyNode", "Place", "no Ready gateway node matches the tunnel's nodeSelector", cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        if (previousNode is null)
        {
            await _events.RecordAsync(regarding, EventType.Normal, "Scheduled", "Place", $"placed on node {placement.Active}" + (placement.Standby is null ? "" : $", standby {placement.Standby}"), cancellationToken).ConfigureAwait(false);
        }
        else if (previousNode != placement.Active)
        {
            await _events.RecordAsync(regarding, EventType.Warning, "FailedOver", "Place", $"moved from node {previousNode} to node {placement.Active}: {previousNode} is not Ready or no longer matches", cancellationToken).ConfigureAwait(false);
        }
    }
}
