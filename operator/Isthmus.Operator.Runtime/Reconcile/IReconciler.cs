using Isthmus.Operator.Runtime.Cache;

namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>
/// Reconciles one object, identified only by its namespace and name. Reconciling is level-based: the
/// reconciler reads the current state (from the caches), makes the world match it and must be idempotent;
/// it is never told which event caused the call, and several events may be folded into one call.
/// The controller never runs two reconciles of the same key at once.
/// </summary>
public interface IReconciler
{
    /// <summary>Name of the controller, used in metrics, traces and logs.</summary>
    string Name { get; }

    Task<Result> ReconcileAsync(ObjectKey key, CancellationToken cancellationToken);
}
