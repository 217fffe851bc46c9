namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>
/// What a reconcile asks of the controller (controller-runtime's contract): <see cref="Done"/> forgets the
/// key's backoff and waits for the next change; <see cref="RequeueAfter"/> revisits the key after the given
/// time even if nothing changes. A thrown exception is a retry with per-key exponential backoff; a
/// <see cref="TerminalException"/> is counted and logged but not retried until the object changes again.
/// </summary>
public readonly record struct Result
{
    private Result(TimeSpan? after) => After = after;

    /// <summary>The time after which the key is revisited, or null.</summary>
    public TimeSpan? After { get; }

    /// <summary>Converged: nothing to do until a watched object changes.</summary>
    public static Result Done { get; } = new(null);

    /// <summary>Revisit after <paramref name="delay"/> (e.g. the next lifetime check).</summary>
    public static Result RequeueAfter(TimeSpan delay) =>
        delay > TimeSpan.Zero ? new Result(delay) : throw new ArgumentOutOfRangeException(nameof(delay), "must be positive");

    public override string ToString() => After is { } a ? $"RequeueAfter({a})" : "Done";
}
