namespace Isthmus.Operator.Runtime.Reconcile;

/// <summary>Where a <see cref="Controller"/> reports each reconcile; implemented with OpenTelemetry by the host.</summary>
public interface IControllerMetrics
{
    void RecordReconcile(string controller, ReconcileOutcome outcome, TimeSpan duration);
}

/// <summary>Discards every measurement.</summary>
public sealed class NullControllerMetrics : IControllerMetrics
{
    public static NullControllerMetrics Instance { get; } = new();

    public void RecordReconcile(string controller, ReconcileOutcome outcome, TimeSpan duration)
    {
    }
}
