namespace Isthmus.Operator.Runtime.Queue;

/// <summary>
/// Per-key exponential backoff: the n-th consecutive failure of a key waits
/// <c>min(BaseDelay * 2^(n-1), MaxDelay)</c>. <see cref="Forget"/> resets a key after a success.
/// Thread-safe.
/// </summary>
public sealed class ExponentialBackoff<TKey> where TKey : notnull
{
    private readonly Dictionary<TKey, int> _failures = new();
    private readonly Lock _lock = new();

    public ExponentialBackoff(TimeSpan baseDelay, TimeSpan maxDelay)
    {
        if (baseDelay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(baseDelay), "must be positive");
        }
        if (maxDelay < baseDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDelay), "must not be below baseDelay");
        }
        BaseDelay = baseDelay;
        MaxDelay = maxDelay;
    }

    public TimeSpan BaseDelay { get; }

    public TimeSpan MaxDelay { get; }

    /// <summary>Records a failure of <paramref name="key"/> and returns how long to wait before the retry.</summary>
    public TimeSpan NextDelay(TKey key)
    {
        int failures;
        lock (_lock)
        {
            _failures.TryGetValue(key, out failures);
            failures++;
            _failures[key] = failures;
        }
        var exponent = Math.Min(failures - 1, 62);
        var ticks = BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Consecutive failures recorded for <paramref name="key"/>.</summary>
    public int Failures(TKey key)
    {
        lock (_lock)
        {
            return _failures.TryGetValue(key, out var n) ? n : 0;
        }
    }

    /// <summary>Clears the failure count of <paramref name="key"/>.</summary>
    public void Forget(TKey key)
    {
        lock (_lock)
        {
            _failures.Remove(key);
        }
    }
}
