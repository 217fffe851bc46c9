using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.Api.V1Alpha1;
using V1Secret = k8s.Models.V1Secret;
using V1ObjectMeta = k8s.Models.V1ObjectMeta;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Runtime.Finalizers;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Store;

/// <summary>
/// <see cref="IClusterStore"/> on the Kubernetes API: reads from informer caches (IpsecTunnels,
/// TrafficSelectors and Secrets in all namespaces, Nodes, and the operator's own pods and DaemonSet in its
/// namespace), writes with KubernetesClient. Status goes through the status subresource as a JSON merge
/// patch carrying the resourceVersion (409 on a concurrent change); finalizers through a metadata-only merge
/// patch, likewise guarded. Spec is never written.
/// </summary>
public sealed class KubernetesClusterStore : IClusterStore
{
    private readonly IKubernetes _client;
    private readonly OperatorOptions _options;
    private readonly ILogger _logger;

    public KubernetesClusterStore(IKubernetes client, OperatorOptions options, ILoggerFactory loggers, TimeProvider? time = null)
    {
        _client = client;
        _options = options;
        _logger = loggers.CreateLogger("store");
        var ns = options.Namespace;
        var managed = $"{NodeObjectNames.ManagedByLabel}={NodeObjectNames.ManagedBy}";

        Tunnels = new Informer<IpsecTunnelResource>(
            new KubernetesListWatcher<IpsecTunnelResource, CustomResourceList<IpsecTunnelResource>>(
                "ipsectunnels",
                (watch, rv, bookmarks, timeout, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<CustomResourceList<IpsecTunnelResource>>(
                    V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, V1Alpha1IpsecTunnel.Plural,
                    allowWatchBookmarks: bookmarks, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.ipsectunnels"), time) { ResyncPeriod = options.ResyncPeriod };

        TrafficSelectors = new Informer<TrafficSelectorResource>(
            new KubernetesListWatcher<TrafficSelectorResource, CustomResourceList<TrafficSelectorResource>>(
                "trafficselectors",
                (watch, rv, bookmarks, timeout, ct) => client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync<CustomResourceList<TrafficSelectorResource>>(
                    V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, V1Alpha1TrafficSelector.Plural,
                    allowWatchBookmarks: bookmarks, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.trafficselectors"), time) { ResyncPeriod = TimeSpan.Zero };

        Secrets = new Informer<V1Secret>(
            new KubernetesListWatcher<V1Secret, V1SecretList>(
                "secrets",
                (watch, rv, bookmarks, timeout, ct) => client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: bookmarks, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.secrets"), time) { ResyncPeriod = TimeSpan.Zero };

        Nodes = new Informer<V1Node>(
            new KubernetesListWatcher<V1Node, V1NodeList>(
                "nodes",
                (watch, rv, bookmarks, timeout, ct) => client.CoreV1.ListNodeWithHttpMessagesAsync(
                    allowWatchBookmarks: bookmarks, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.nodes"), time) { ResyncPeriod = TimeSpan.Zero };

        Pods = new Informer<V1Pod>(
            new KubernetesListWatcher<V1Pod, V1PodList>(
                $"pods ({ns}, {managed})",
                (watch, rv, bookmarks, timeout, ct) => client.CoreV1.ListNamespacedPodWithHttpMessagesAsync(
                    ns, allowWatchBookmarks: bookmarks, labelSelector: managed, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.pods"), time) { ResyncPeriod = TimeSpan.Zero };

        DaemonSets = new Informer<V1DaemonSet>(
            new KubernetesListWatcher<V1DaemonSet, V1DaemonSetList>(
                $"daemonsets ({ns}, {managed})",
                (watch, rv, bookmarks, timeout, ct) => client.AppsV1.ListNamespacedDaemonSetWithHttpMessagesAsync(
                    ns, allowWatchBookmarks: bookmarks, labelSelector: managed, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.daemonsets"), time) { ResyncPeriod = TimeSpan.Zero };
    }

    public Informer<IpsecTunnelResource> Tunnels { get; }

    public Informer<TrafficSelectorResource> TrafficSelectors { get; }

    public Informer<V1Secret> Secrets { get; }

    public Informer<V1Node> Nodes { get; }

    public Informer<V1Pod> Pods { get; }

    public Informer<V1DaemonSet> DaemonSets { get; }

    /// <summary>Runs every informer until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Tunnels.RunAsync(cancellationToken),
        TrafficSelectors.RunAsync(cancellationToken),
        Secrets.RunAsync(cancellationToken),
        Nodes.RunAsync(cancellationToken),
        Pods.RunAsync(cancellationToken),
        DaemonSets.RunAsync(cancellationToken));

    /// <summary>Completes when every informer has loaded its first list.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Tunnels.Synced, TrafficSelectors.Synced, Secrets.Synced, Nodes.Synced, Pods.Synced, DaemonSets.Synced).WaitAsync(cancellationToken);

    public IpsecTunnelResource? GetTunnel(ObjectKey key) => Tunnels.Cache.Get(key);

    public IReadOnlyList<IpsecTunnelResource> ListTunnels() => Tunnels.Cache.List();

    public TrafficSelectorResource? GetTrafficSelector(string @namespace, string name) => TrafficSelectors.Cache.Get(@namespace, name);

    public V1Secret? GetSecret(string @namespace, string name) => Secrets.Cache.Get(@namespace, name);

    public IReadOnlyList<GatewayNode> ListNodes() => Nodes.Cache.List().Select(GatewayNode.From).ToList();

    public IReadOnlyList<DeployedNodeConfig> ListDeployedNodeConfigs()
    {
        // A node's config counts as deployed with hash H only when its Secret and a live (not terminating)
        // IKE pod both carry H; anything else is reported with an empty hash, so the next apply fixes it.
        var pods = Pods.Cache.List(_options.Namespace)
            .Where(p => p.Metadata.Annotations?.ContainsKey(NodeObjectNames.NodeAnnotation) == true)
            .ToDictionary(p => p.Metadata.Annotations[NodeObjectNames.NodeAnnotation], StringComparer.Ordinal);
        var result = new List<DeployedNodeConfig>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in Secrets.Cache.List(_options.Namespace))
        {
            if (Label(secret.Metadata, NodeObjectNames.ManagedByLabel) != NodeObjectNames.ManagedBy
                || Annotation(secret.Metadata, NodeObjectNames.NodeAnnotation) is not { } node)
            {
                continue;
            }
            var hash = Annotation(secret.Metadata, NodeObjectNames.ConfigHashAnnotation) ?? "";
            var podHash = pods.TryGetValue(node, out var pod) && pod.Metadata.DeletionTimestamp is null
                ? Annotation(pod.Metadata, NodeObjectNames.ConfigHashAnnotation)
                : null;
            result.Add(new DeployedNodeConfig(node, podHash == hash ? hash : ""));
            seen.Add(node);
        }
        foreach (var (node, _) in pods)
        {
            if (seen.Add(node))
            {
                result.Add(new DeployedNodeConfig(node, ""));
            }
        }
        return result;
    }

    public async Task UpdateStatusAsync(IpsecTunnelResource tunnel, V1Alpha1IpsecTunnelStatus status, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = tunnel.Metadata.ResourceVersion },
            ["status"] = JsonSerializer.SerializeToNode(status),
        };
        await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch),
            V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, tunnel.Metadata.NamespaceProperty, V1Alpha1IpsecTunnel.Plural, tunnel.Metadata.Name,
            fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<IpsecTunnelResource> AddFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken)
    {
        if (FinalizerPatch.Add(tunnel.Metadata, finalizer) is not { } patch)
        {
            return tunnel;
        }
        using var response = await _client.CustomObjects.PatchNamespacedCustomObjectWithHttpMessagesAsync<IpsecTunnelResource>(
            patch, V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, tunnel.Metadata.NamespaceProperty, V1Alpha1IpsecTunnel.Plural, tunnel.Metadata.Name,
            fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
        return response.Body;
    }

    public async Task RemoveFinalizerAsync(IpsecTunnelResource tunnel, string finalizer, CancellationToken cancellationToken)
    {
        if (FinalizerPatch.Remove(tunnel.Metadata, finalizer) is not { } patch)
        {
            return;
        }
        try
        {
            await _client.CustomObjects.PatchNamespacedCustomObjectAsync(
                patch, V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, tunnel.Metadata.NamespaceProperty, V1Alpha1IpsecTunnel.Plural, tunnel.Metadata.Name,
                fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public async Task<bool> ApplyNodeConfigAsync(NodeConfig config, CancellationToken cancellationToken)
    {
        var ns = _options.Namespace;
        var changed = false;
        var desiredSecret = NodeManifests.ConfigSecret(config, ns);
        var existingSecret = Secrets.Cache.Get(ns, desiredSecret.Metadata.Name);
        if (existingSecret is null)
        {
            await CreateOrRetryLater(() => _client.CoreV1.CreateNamespacedSecretAsync(desiredSecret, ns, fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken)).ConfigureAwait(false);
            changed = true;
        }
        else if (Annotation(existingSecret.Metadata, NodeObjectNames.ConfigHashAnnotation) != config.Hash
                 || existingSecret.Data?.TryGetValue(NodeObjectNames.ConfigKey, out var data) != true
                 || !data.AsSpan().SequenceEqual(config.Manifests))
        {
            desiredSecret.Metadata.ResourceVersion = existingSecret.Metadata.ResourceVersion;
            await _client.CoreV1.ReplaceNamespacedSecretAsync(desiredSecret, desiredSecret.Metadata.Name, ns, fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
            changed = true;
        }

        var desiredPod = NodeManifests.IkePod(config, ns, _options);
        var existingPod = Pods.Cache.Get(ns, desiredPod.Metadata.Name);
        if (existingPod is null)
        {
            await CreateOrRetryLater(() => _client.CoreV1.CreateNamespacedPodAsync(desiredPod, ns, fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        if (existingPod.Metadata.DeletionTimestamp is not null)
        {
            // The previous pod still holds UDP 500/4500 on the node; its deletion event brings us back.
            return changed;
        }
        if (Annotation(existingPod.Metadata, NodeObjectNames.SpecHashAnnotation) != desiredPod.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation]
            || Annotation(existingPod.Metadata, NodeObjectNames.ConfigHashAnnotation) != config.Hash)
        {
            // Pods are immutable: replace it. The new one is created once the old one is gone (same host ports).
            await DeleteIgnoringMissing(() => _client.CoreV1.DeleteNamespacedPodAsync(existingPod.Metadata.Name, ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        return changed;
    }

    public async Task DeleteNodeConfigAsync(string nodeName, CancellationToken cancellationToken)
    {
        var ns = _options.Namespace;
        await DeleteIgnoringMissing(() => _client.CoreV1.DeleteNamespacedPodAsync(NodeObjectNames.IkePod(nodeName), ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await DeleteIgnoringMissing(() => _client.CoreV1.DeleteNamespacedSecretAsync(NodeObjectNames.ConfigSecret(nodeName), ns, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task EnsureDataplaneAsync(CancellationToken cancellationToken)
    {
        if (!_options.DataplaneEnabled)
        {
            return;
        }
        var ns = _options.Namespace;
        var desired = NodeManifests.DataplaneDaemonSet(ns, _options);
        var existing = DaemonSets.Cache.Get(ns, desired.Metadata.Name);
        if (existing is null)
        {
            await CreateOrRetryLater(() => _client.AppsV1.CreateNamespacedDaemonSetAsync(desired, ns, fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken)).ConfigureAwait(false);
            _logger.LogInformation("Created the dataplane DaemonSet {Namespace}/{Name}", ns, desired.Metadata.Name);
        }
        else if (Annotation(existing.Metadata, NodeObjectNames.SpecHashAnnotation) != desired.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation])
        {
            desired.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await _client.AppsV1.ReplaceNamespacedDaemonSetAsync(desired, desired.Metadata.Name, ns, fieldManager: NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Updated the dataplane DaemonSet {Namespace}/{Name}", ns, desired.Metadata.Name);
        }
    }

    private static string? Annotation(V1ObjectMeta metadata, string key) =>
        metadata.Annotations is { } a && a.TryGetValue(key, out var v) ? v : null;

    private static string? Label(V1ObjectMeta metadata, string key) =>
        metadata.Labels is { } l && l.TryGetValue(key, out var v) ? v : null;

    /// <summary>A create that finds the object already there (the cache lagged) fails the reconcile, which is retried with backoff once the cache has caught up and then compares and updates it.</summary>
    private static async Task CreateOrRetryLater<T>(Func<Task<T>> create)
    {
        try
        {
            await create().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            throw new InvalidOperationException("the object already exists but is not in the cache yet; retrying once the cache catches up", e);
        }
    }

    private static async Task DeleteIgnoringMissing<T>(Func<Task<T>> delete)
    {
        try
        {
            await delete().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }
}
