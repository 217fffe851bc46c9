using System.Diagnostics;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Runtime.Queue;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>
/// Runs an <see cref="IReconciler"/> over a <see cref="WorkQueue{TKey}"/> with a fixed number of workers.
/// Each reconcile runs in a trace span (<see cref="ActivitySource"/>) and a logging scope carrying the
/// object's namespace and name, and its outcome is reported to <see cref="IControllerMetrics"/>.
/// </summary>
public sealed class Controller
{
    private readonly IReconciler _reconciler;
    private readonly ILogger _logger;
    private readonly IControllerMetrics _metrics;
    private readonly ActivitySource? _activitySource;
    private readonly TimeProvider _time;

    public Controller(IReconciler reconciler, WorkQueue<ObjectKey> queue, ILogger logger, IControllerMetrics? metrics = null, ActivitySource? activitySource = null, TimeProvider? time = null)
    {
        _reconciler = reconciler;
        Queue = queue;
        _logger = logger;
        _metrics = metrics ?? NullControllerMetrics.Instance;
        _activitySource = activitySource;
        _time = time ?? TimeProvider.System;
    }

    public WorkQueue<ObjectKey> Queue { get; }

    public string Name => _reconciler.Name;

    /// <summary>
    /// Starts <paramref name="workers"/> workers and returns when <paramref name="cancellationToken"/> is
    /// cancelled and every running reconcile has finished (graceful shutdown: a reconcile in flight sees
    /// the token and may stop at its next await; no new one starts).
    /// </summary>
    public async Task RunAsync(int workers, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        using var registration = cancellationToken.Register(Queue.ShutDown);
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToArray();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (bool Ok, ObjectKey Key) item;
            try
            {
                item = await Queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            if (!item.Ok)
            {
                return;
            }
            try
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    continue;
                }
                await ProcessAsync(item.Key, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Queue.Done(item.Key);
            }
        }
    }

    /// <summary>Runs one reconcile of <paramref name="key"/> and applies the outcome to the queue.</summary>
    internal async Task<ReconcileOutcome> ProcessAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        using var scope = _logger.BeginScope(new ReconcileScope(Name, key.Namespace, key.Name));
        using var activity = _activitySource?.StartActivity($"reconcile {Name}", ActivityKind.Internal);
        activity?.SetTag("k8s.namespace.name", key.Namespace);
        activity?.SetTag("isthmus.object.name", key.Name);
        var started = _time.GetTimestamp();
        ReconcileOutcome outcome;
        try
        {
            var result = await _reconciler.ReconcileAsync(key, cancellationToken).ConfigureAwait(false);
            Queue.Forget(key);
            if (result.After is { } after)
            {
                Queue.AddAfter(key, after);
                outcome = ReconcileOutcome.RequeueAfter;
            }
            else
            {
                outcome = ReconcileOutcome.Success;
            }
            _logger.LogDebug("Reconciled: {Result}", result);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the next leader (or this process after a restart) reconciles the key again.
            outcome = ReconcileOutcome.Error;
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
        }
        catch (TerminalException e)
        {
            Queue.Forget(key);
            outcome = ReconcileOutcome.TerminalError;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _logger.LogError("Reconcile failed permanently: {Message}", e.Message);
        }
        catch (Exception e)
        {
            var delay = Queue.AddRateLimited(key);
            outcome = ReconcileOutcome.Error;
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _logger.LogWarning("Reconcile failed, retrying in {Delay} ms: {Error}: {Message}", (int)delay.TotalMilliseconds, e.GetType().Name, e.Message);
        }
        activity?.SetTag("isthmus.reconcile.outcome", outcome.ToString());
        _metrics.RecordReconcile(Name, outcome, _time.GetElapsedTime(started));
        return outcome;
    }
}
