namespace Isthmus.KubeClient.Events;

/// <summary>
/// Records Events on objects. Recording is best effort: a failure is logged, never thrown, so that an
/// Event can never fail a reconcile. Repeats of the same event are folded into one Event with a series.
/// </summary>
public interface IEventRecorder
{
    /// <param name="reason">CamelCase reason, e.g. <c>Scheduled</c>.</param>
    /// <param name="action">What the controller did, e.g. <c>Place</c>.</param>
    /// <param name="note">Human-readable message; never secret material.</param>
    Task RecordAsync(EventReference regarding, EventType type, string reason, string action, string note, CancellationToken cancellationToken);
}
