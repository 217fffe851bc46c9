using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>
/// Keeps a <see cref="ResourceCache{T}"/> of one kind in step with the API server: list, then watch from the
/// list's resourceVersion (with bookmarks, so that a reconnect resumes close to where it stopped); a watch
/// the server closes is reopened from the last seen resourceVersion; 410 Gone leads to a fresh list (whose
/// differences are reported as adds, updates and deletes, so no change is lost); any other failure waits an
/// exponential backoff before reconnecting. Every <see cref="ResyncPeriod"/> all cached objects are reported
/// again as updates so that reconcilers revisit them.
/// </summary>
public sealed class Informer<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IListWatcher<T> _source;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<IResourceEventHandler<T>> _handlers = [];
    private readonly Lock _handlerLock = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Informer(IListWatcher<T> source, ILogger logger, TimeProvider? time = null)
    {
        _source = source;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public ResourceCache<T> Cache { get; } = new();

    /// <summary>How often every cached object is reported again. Zero disables the resync.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>First delay after a failed list or watch; doubled on each consecutive failure.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of the reconnect delay.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Completes when the first list has been loaded into the cache.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Counts lists (first and relists), for tests and metrics.</summary>
    public int ListCount { get; private set; }

    /// <summary>Registers a handler; register before <see cref="RunAsync"/>.</summary>
    public void AddHandler(IResourceEventHandler<T> handler)
    {
        lock (_handlerLock)
        {
            _handlers.Add(handler);
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var resync = ResyncPeriod > TimeSpan.Zero
            ? _time.CreateTimer(_ => Resync(), null, ResyncPeriod, ResyncPeriod)
            : null;
        var failures = 0;
        string? resourceVersion = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = await _source.ListAsync(cancellationToken).ConfigureAwait(false);
                    ListCount++;
                    ApplyList(list.Items);
                    resourceVersion = list.ResourceVersion;
                    _synced.TrySetResult();
                    _logger.LogDebug("Listed {Count} {Kind} at resourceVersion {ResourceVersion}", list.Items.Count, _source.Description, resourceVersion);
                }
                await foreach (var (type, obj) in _source.WatchAsync(resourceVersion, cancellationToken).ConfigureAwait(false))
                {
                    failures = 0;
                    resourceVersion = Apply(type, obj) ?? resourceVersion;
                }
                // The server ended the watch (its timeout): reopen from the last resourceVersion.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ResourceVersionExpiredException e)
            {
                _logger.LogInformation("Watch of {Kind} expired ({Reason}); listing again", _source.Description, e.Message);
                resourceVersion = null;
            }
            catch (Exception e)
            {
                failures++;
                var delay = Backoff(failures);
                _logger.LogWarning("List/watch of {Kind} failed ({Error}: {Message}); reconnecting in {Delay} ms", _source.Description, e.GetType().Name, e.Message, (int)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var ticks = MinBackoff.Ticks * Math.Pow(2, Math.Min(failures - 1, 30));
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    private void ApplyList(IReadOnlyList<T> items)
    {
        var previous = Cache.List().ToDictionary(ObjectKey.Of);
        var gone = Cache.Replace(items);
        lock (_handlerLock)
        {
            foreach (var item in items)
            {
                if (previous.TryGetValue(ObjectKey.Of(item), out var old))
                {
                    if (old.Metadata?.ResourceVersion != item.Metadata?.ResourceVersion)
                    {
                        Each(h => h.OnUpdated(old, item));
                    }
                }
                else
                {
                    Each(h => h.OnAdded(item));
                }
            }
            foreach (var item in gone)
            {
                Each(h => h.OnDeleted(item));
            }
        }
    }

    /// <summary>Applies one watch event; returns the resourceVersion to resume from.</summary>
    private string? Apply(WatchEventType type, T obj)
    {
        var version = obj.Metadata?.ResourceVersion;
        lock (_handlerLock)
        {
            switch (type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    var old = Cache.Upsert(obj);
                    if (old is null)
                    {
                        Each(h => h.OnAdded(obj));
                    }
                    else
                    {
                        Each(h => h.OnUpdated(old, obj));
                    }
                    break;
                case WatchEventType.Deleted:
                    var removed = Cache.Remove(obj);
                    Each(h => h.OnDeleted(removed ?? obj));
                    break;
                case WatchEventType.Bookmark:
                    break;
                case WatchEventType.Error:
                    throw new ResourceVersionExpiredException("watch returned an error event");
            }
        }
        return version;
    }

    private void Resync()
    {
        lock (_handlerLock)
        {
            foreach (var item in Cache.List())
            {
                Each(h => h.OnUpdated(item, item));
            }
        }
    }

    private void Each(Action<IResourceEventHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                call(handler);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Event handler for {Kind} failed", _source.Description);
            }
        }
    }
}
