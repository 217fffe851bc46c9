namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>How one reconcile ended, as recorded in metrics.</summary>
public enum ReconcileOutcome
{
    /// <summary>Returned <see cref="Result.Done"/>.</summary>
    Success,

    /// <summary>Returned <see cref="Result.RequeueAfter"/>.</summary>
    RequeueAfter,

    /// <summary>Threw: retried with backoff.</summary>
    Error,

    /// <summary>Threw <see cref="TerminalException"/>: not retried.</summary>
    TerminalError,
}
