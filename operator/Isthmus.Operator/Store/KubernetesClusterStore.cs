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
/// <see cref="IClusterStore"/> on the Kubernetes API: reads from informer caches (IpsecTunnels and
/// TrafficSelectors in all namespaces, Nodes, and the operator's own Secrets, pods and DaemonSet in its namespace),
/// writes with KubernetesClient. Of the cluster's other Secrets it caches only those carrying the tunnel-secret label
/// (<c>--secret-label-selector</c>), so its memory does not grow with Secrets it has no business with; a Secret a
/// tunnel names without that label is read with a direct GET and read again every <c>--unlabelled-secret-recheck</c>. Status goes through the status subresource as a JSON merge
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

        _time = time ?? TimeProvider.System;
        var secretLabels = options.SecretLabelSelector;
        Secrets = new Informer<V1Secret>(
            new KubernetesListWatcher<V1Secret, V1SecretList>(
                $"secrets ({secretLabels})",
                (watch, rv, bookmarks, timeout, ct) => client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(
                    allowWatchBookmarks: bookmarks, labelSelector: secretLabels, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.secrets"), time) { ResyncPeriod = TimeSpan.Zero };

        OwnSecrets = new Informer<V1Secret>(
            new KubernetesListWatcher<V1Secret, V1SecretList>(
                $"secrets ({ns}, {managed})",
                (watch, rv, bookmarks, timeout, ct) => client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(
                    ns, allowWatchBookmarks: bookmarks, labelSelector: managed, resourceVersion: rv, timeoutSeconds: timeout, watch: watch, cancellationToken: ct),
                list => list.Items),
            loggers.CreateLogger("informer.own-secrets"), time) { ResyncPeriod = TimeSpan.Zero };

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

    /// <summary>Secrets that carry the tunnel-secret label, in every namespace.</summary>
    public Informer<V1Secret> Secrets { get; }

    /// <summary>The operator's own Secrets in its namespace (node configs, the webhook's certificate).</summary>
    public Informer<V1Secret> OwnSecrets { get; }

    /// <summary>Referenced Secrets without the label, as last read with a GET (null: not found), and when.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ObjectKey, (V1Secret? Secret, DateTimeOffset ReadAt)> _unlabelled = new();
    private readonly TimeProvider _time;

    public Informer<V1Node> Nodes { get; }

    public Informer<V1Pod> Pods { get; }

    public Informer<V1DaemonSet> DaemonSets { get; }

    /// <summary>Runs every informer until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Task.WhenAll(
        Tunnels.RunAsync(cancellationToken),
        TrafficSelectors.RunAsync(cancellationToken),
        Secrets.RunAsync(cancellationToken),
        OwnSecrets.RunAsync(cancellationToken),
        Nodes.RunAsync(cancellationToken),
        Pods.RunAsync(cancellationToken),
        DaemonSets.RunAsync(cancellationToken));

    /// <summary>Completes when every informer has loaded its first list.</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Tunnels.Synced, TrafficSelectors.Synced, Secrets.Synced, OwnSecrets.Synced, Nodes.Synced, Pods.Synced, DaemonSets.Synced).WaitAsync(cancellationToken);

    public IpsecTunnelResource? GetTunnel(ObjectKey key) => Tunnels.Cache.Get(key);

    public IReadOnlyList<IpsecTunnelResource> ListTunnels() => Tunnels.Cache.List();

    public TrafficSelectorResource? GetTrafficSelector(string @namespace, string name) => TrafficSelectors.Cache.Get(@namespace, name);

    public V1Secret? GetSecret(string @namespace, string name) =>
        Secrets.Cache.Get(@namespace, name)
        ?? (_unlabelled.TryGetValue(new ObjectKey(@namespace, name), out var read) ? read.Secret : null);

    /// <summary>
    /// Reads the Secret <paramref name="tunnel"/> names when the label-scoped cache does not hold it and it was not
    /// read within the recheck period. Returns the recheck period when the tunnel depends on such an unlabelled Secret
    /// (the reconcile comes back then to see a rotation), else null.
    /// </summary>
    public async Task<TimeSpan?> RefreshReferencedSecretsAsync(IpsecTunnelResource tunnel, CancellationToken cancellationToken)
    {
        if (tunnel.Spec.Authentication?.Psk?.SecretRef?.Name is not { Length: > 0 } name)
        {
            return null;
        }
        var ns = tunnel.Metadata.NamespaceProperty ?? "default";
        if (Secrets.Cache.Get(ns, name) is not null)
        {
            _unlabelled.TryRemove(new ObjectKey(ns, name), out _);
            return null;
        }
        var key = new ObjectKey(ns, name);
        var now = _time.GetUtcNow();
        if (_unlabelled.TryGetValue(key, out var read) && now - read.ReadAt < _options.UnlabelledSecretRecheck)
        {
            return _options.UnlabelledSecretRecheck;
        }
        V1Secret? secret;
        try
        {
            secret = await _client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            secret = null;
        }
        if (secret is not null && !read.Equals(default) && read.Secret?.Metadata?.ResourceVersion != secret.Metadata?.ResourceVersion)
        {
            _logger.LogInformation("Secret {Namespace}/{Name} changed (read directly: it lacks the label {Selector})", ns, name, _options.SecretLabelSelector);
        }
        else if (secret is not null && read.Equals(default))
        {
            _logger.LogInformation("Secret {Namespace}/{Name} has no label {Selector}: it is read directly and checked every {Recheck}; label it to have changes applied at once", ns, name, _options.SecretLabelSelector, _options.UnlabelledSecretRecheck);
        }
        _unlabelled[key] = (secret, now);
        return _options.UnlabelledSecretRecheck;
    }

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
        foreach (var secret in OwnSecrets.Cache.List(_options.Namespace))
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
        var existingSecret = OwnSecrets.Cache.Get(ns, desiredSecret.Metadata.Name);
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
