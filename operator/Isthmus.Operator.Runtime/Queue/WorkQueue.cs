namespace Isthmus.Operator.Runtime.Queue;

/// <summary>
/// A rate-limited work queue in the style of client-go's: a key is queued at most once (adding a queued
/// key again is a no-op), a key being processed is never handed to a second worker (adding it marks it
/// dirty and it is queued again when the first worker calls <see cref="Done"/>), delayed adds
/// (<see cref="AddAfter"/>) wait on the injected <see cref="TimeProvider"/>, and
/// <see cref="AddRateLimited"/> applies per-key exponential backoff.
/// </summary>
public sealed class WorkQueue<TKey> : IDisposable where TKey : notnull
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TKey> _queue = new();
    private readonly HashSet<TKey> _dirty = new();
    private readonly HashSet<TKey> _processing = new();
    private readonly Dictionary<TKey, (DateTimeOffset Due, ITimer Timer)> _delayed = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly TimeProvider _time;
    private readonly ExponentialBackoff<TKey> _backoff;
    private bool _shuttingDown;

    public WorkQueue(TimeProvider? time = null, ExponentialBackoff<TKey>? backoff = null)
    {
        _time = time ?? TimeProvider.System;
        _backoff = backoff ?? new ExponentialBackoff<TKey>(TimeSpan.FromMilliseconds(5), TimeSpan.FromMinutes(16));
    }

    /// <summary>Keys waiting to be handed to a worker (not counting delayed keys or keys being processed).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Keys waiting for a delayed add.</summary>
    public int DelayedCount
    {
        get
        {
            lock (_lock)
            {
                return _delayed.Count;
            }
        }
    }

    /// <summary>Whether <see cref="ShutDown"/> was called.</summary>
    public bool IsShuttingDown
    {
        get
        {
            lock (_lock)
            {
                return _shuttingDown;
            }
        }
    }

    /// <summary>Queues <paramref name="key"/> now, unless it is already queued.</summary>
    public void Add(TKey key)
    {
        lock (_lock)
        {
            AddLocked(key);
        }
    }

    /// <summary>
    /// Queues <paramref name="key"/> after <paramref name="delay"/>. When the key already waits for an
    /// earlier time, the earlier time wins.
    /// </summary>
    public void AddAfter(TKey key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }
            var due = _time.GetUtcNow() + delay;
            if (_delayed.TryGetValue(key, out var existing))
            {
                if (existing.Due <= due)
                {
                    return;
                }
                existing.Timer.Dispose();
            }
            var timer = _time.CreateTimer(_ => FireDelayed(key, due), null, delay, Timeout.InfiniteTimeSpan);
            _delayed[key] = (due, timer);
        }
    }

    /// <summary>Queues <paramref name="key"/> after its next backoff delay (exponential per consecutive failure).</summary>
    public TimeSpan AddRateLimited(TKey key)
    {
        var delay = _backoff.NextDelay(key);
        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets the backoff of <paramref name="key"/> (after a success).</summary>
    public void Forget(TKey key) => _backoff.Forget(key);

    /// <summary>Consecutive failures recorded for <paramref name="key"/>.</summary>
    public int Failures(TKey key) => _backoff.Failures(key);

    /// <summary>
    /// Waits for the next key and marks it as being processed; the caller must call <see cref="Done"/>.
    /// Returns false when the queue is shut down and empty.
    /// </summary>
    public async ValueTask<(bool Ok, TKey Key)> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_queue.First is { } first)
                {
                    _queue.RemoveFirst();
                    _processing.Add(first.Value);
                    _dirty.Remove(first.Value);
                    return (true, first.Value);
                }
                if (_shuttingDown)
                {
                    return (false, default!);
                }
            }
            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Marks <paramref name="key"/> as processed; if it was added meanwhile it is queued again.</summary>
    public void Done(TKey key)
    {
        lock (_lock)
        {
            _processing.Remove(key);
            if (_dirty.Contains(key) && !_shuttingDown)
            {
                _queue.AddLast(key);
                _available.Release();
            }
            else
            {
                _dirty.Remove(key);
            }
        }
    }

    /// <summary>Stops accepting keys; workers drain what is queued, then <see cref="GetAsync"/> returns false.</summary>
    public void ShutDown()
    {
        lock (_lock)
        {
            if (_shuttingDown)
            {
                return;
            }
            _shuttingDown = true;
            foreach (var (_, timer) in _delayed.Values)
            {
                timer.Dispose();
            }
            _delayed.Clear();
            _available.Release(int.MaxValue / 2);
        }
    }

    public void Dispose()
    {
        ShutDown();
        _available.Dispose();
    }

    private void FireDelayed(TKey key, DateTimeOffset due)
    {
        lock (_lock)
        {
            if (!_delayed.TryGetValue(key, out var entry) || entry.Due != due)
            {
                return;
            }
            entry.Timer.Dispose();
            _delayed.Remove(key);
            AddLocked(key);
        }
    }

    private void AddLocked(TKey key)
    {
        if (_shuttingDown || !_dirty.Add(key))
        {
            return;
        }
        if (_processing.Contains(key))
        {
            return;
        }
        _queue.AddLast(key);
        _available.Release();
    }
}
