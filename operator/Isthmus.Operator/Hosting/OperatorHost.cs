using Isthmus.Operator.Admission;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Runtime.Events;
using Isthmus.Operator.Runtime.Leader;
using Isthmus.Operator.Runtime.Queue;
using Isthmus.Operator.Runtime.Reconcile;
using Isthmus.Operator.Store;
using Isthmus.Operator.Telemetry;
using Isthmus.Operator.Tunnels;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Hosting;

/// <summary>
/// The operator process in one call, usable in-process by tests: connects to the API server from the
/// options, sets up logs, metrics and traces, competes for the Lease (unless leader election is off) and,
/// while leading, runs the informers and the IpsecTunnel controller. Returns when
/// <paramref name="cancellationToken"/> is cancelled and every running reconcile has finished (graceful
/// shutdown; the Lease is released so that a standby takes over at once).
/// </summary>
public static class OperatorHost
{
    public static async Task RunAsync(OperatorOptions options, CancellationToken cancellationToken, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownLoggers = loggerFactory is null;
        loggerFactory ??= CreateLoggerFactory(options);
        try
        {
            using var client = options.Connection.CreateClient();
            await RunAsync(client, options, loggerFactory, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (ownLoggers)
            {
                loggerFactory.Dispose();
            }
        }
    }

    /// <summary>As <see cref="RunAsync(OperatorOptions, CancellationToken, ILoggerFactory?)"/> with a client already built.</summary>
    public static async Task RunAsync(IKubernetes client, OperatorOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var logger = loggerFactory.CreateLogger("operator");
        WorkQueue<ObjectKey>? queue = null;
        IClusterStore? currentStore = null;
        using var telemetry = new OperatorTelemetry(
            () => queue is { } q ? (q.Count, q.DelayedCount) : (0, 0),
            () => currentStore?.ListTunnels() ?? []);
        var readiness = new OperatorReadiness(options.LeaderElection ? ReadinessState.Standby : ReadinessState.Syncing);
        using var stopping = cancellationToken.Register(() => readiness.Set(ReadinessState.Stopping));
        await using var endpoint = await TelemetryEndpoint.StartAsync(options, readiness, cancellationToken).ConfigureAwait(false);
        await using var webhook = await AdmissionWebhook.StartAsync(client, options, loggerFactory, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Starting isthmus-operator {Identity} in namespace {Namespace} (leader election {LeaderElection})", options.Identity, options.Namespace, options.LeaderElection ? "on" : "off");

        async Task Lead(CancellationToken leading)
        {
            readiness.Set(ReadinessState.Syncing);
            try
            {
                using var leadQueue = new WorkQueue<ObjectKey>();
                var store = new KubernetesClusterStore(client, options, loggerFactory);
                currentStore = store;
                queue = leadQueue;
                await RunControllerAsync(client, store, leadQueue, options, loggerFactory, telemetry, () => readiness.Set(ReadinessState.Synced), leading).ConfigureAwait(false);
            }
            finally
            {
                // Back to competing for the Lease, unless the process is stopping.
                readiness.Set(cancellationToken.IsCancellationRequested ? ReadinessState.Stopping : ReadinessState.Standby);
            }
        }

        if (options.LeaderElection)
        {
            var election = new LeaderElection(client, new LeaderElectionOptions
            {
                Namespace = options.Namespace,
                LeaseName = options.LeaseName,
                Identity = options.Identity,
                LeaseDuration = options.LeaseDuration,
                RenewDeadline = options.RenewDeadline,
                RetryPeriod = options.RetryPeriod,
            }, loggerFactory.CreateLogger("leader"));
            await election.RunAsync(Lead, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Lead(cancellationToken).ConfigureAwait(false);
        }
        readiness.Set(ReadinessState.Stopping);
        logger.LogInformation("isthmus-operator {Identity} stopped", options.Identity);
    }

    private static async Task RunControllerAsync(IKubernetes client, KubernetesClusterStore store, WorkQueue<ObjectKey> queue, OperatorOptions options, ILoggerFactory loggers, OperatorTelemetry telemetry, Action synced, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger("operator");
        var events = new KubernetesEventRecorder(client, "ipsec.isthmus.dev/operator", options.Identity, loggers.CreateLogger("events"));
        var reconciler = new IpsecTunnelReconciler(store, events, loggers.CreateLogger("reconcile.ipsectunnel"), gatewayLabel: options.GatewayLabel, policy: options.Webhook.Policy);
        var controller = new Controller(reconciler, queue, loggers.CreateLogger("controller.ipsectunnel"), telemetry, telemetry.ActivitySource);
        Watch(store, queue, options);

        using var informersStop = new CancellationTokenSource();
        var informers = store.RunAsync(informersStop.Token);
        try
        {
            await store.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Caches synced: {Tunnels} tunnels, {Nodes} nodes", store.Tunnels.Cache.Count, store.Nodes.Cache.Count);
            synced();
            await controller.RunAsync(options.Workers, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.ShutDown();
            informersStop.Cancel();
            await informers.ConfigureAwait(false);
        }
    }

    /// <summary>The controller's triggers: the tunnels themselves and everything mapped back to them.</summary>
    private static void Watch(KubernetesClusterStore store, WorkQueue<ObjectKey> queue, OperatorOptions options)
    {
        void EnqueueAll(IEnumerable<ObjectKey> keys)
        {
            foreach (var key in keys)
            {
                queue.Add(key);
            }
        }

        store.Tunnels.AddHandler(new ResourceEventHandler<IpsecTunnelResource>(
            t => queue.Add(ObjectKey.Of(t)),
            (_, t) => queue.Add(ObjectKey.Of(t)),
            t => queue.Add(ObjectKey.Of(t))));

        void Selector(TrafficSelectorResource s) =>
            EnqueueAll(TunnelEventMapper.ForTrafficSelector(store.ListTunnels(), s.Metadata.NamespaceProperty ?? "", s.Metadata.Name ?? ""));
        store.TrafficSelectors.AddHandler(new ResourceEventHandler<TrafficSelectorResource>(Selector, (_, s) => Selector(s), Selector));

        void Secret(V1Secret s) =>
            EnqueueAll(TunnelEventMapper.ForSecret(store.ListTunnels(), s.Metadata.NamespaceProperty ?? "", s.Metadata.Name ?? ""));
        store.Secrets.AddHandler(new ResourceEventHandler<V1Secret>(Secret, (_, s) => Secret(s), Secret));

        void OwnSecret(V1Secret s)
        {
            if (s.Metadata.Annotations?.TryGetValue(NodeObjectNames.NodeAnnotation, out var node) == true)
            {
                EnqueueAll(TunnelEventMapper.ForActiveNode(store.ListTunnels(), node));
            }
        }
        store.OwnSecrets.AddHandler(new ResourceEventHandler<V1Secret>(OwnSecret, (_, s) => OwnSecret(s), OwnSecret));

        void Node(V1Node n) => EnqueueAll(TunnelEventMapper.ForNode(store.ListTunnels(), GatewayNode.From(n), options.GatewayLabel));
        store.Nodes.AddHandler(new ResourceEventHandler<V1Node>(
            Node,
            (old, n) =>
            {
                if (TunnelEventMapper.NodeChangeMatters(GatewayNode.From(old), GatewayNode.From(n)))
                {
                    Node(n);
                }
            },
            Node));

        void Pod(V1Pod p)
        {
            if (p.Metadata.Annotations?.TryGetValue(NodeObjectNames.NodeAnnotation, out var node) == true)
            {
                EnqueueAll(TunnelEventMapper.ForActiveNode(store.ListTunnels(), node));
            }
        }
        store.Pods.AddHandler(new ResourceEventHandler<V1Pod>(Pod, (_, p) => Pod(p), Pod));

        void DaemonSetChanged() =>
            EnqueueAll(store.ListTunnels().Where(t => t.Status?.ActiveNode is not null).Take(1).Select(ObjectKey.Of));
        store.DaemonSets.AddHandler(new ResourceEventHandler<V1DaemonSet>(
            null,
            (old, ds) =>
            {
                if (old.Metadata.Annotations?.TryGetValue(NodeObjectNames.SpecHashAnnotation, out var a) != true
                    || ds.Metadata.Annotations?.TryGetValue(NodeObjectNames.SpecHashAnnotation, out var b) != true
                    || a != b)
                {
                    DaemonSetChanged();
                }
            },
            _ => DaemonSetChanged()));
    }

    /// <summary>JSON lines on stdout (or plain text), with scopes: every line of a reconcile carries the tunnel's namespace and name.</summary>
    public static ILoggerFactory CreateLoggerFactory(OperatorOptions options) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(options.LogLevel);
        if (options.JsonLogs)
        {
            builder.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.IncludeScopes = true;
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    });
}
