using Isthmus.KubeClient.Events;

namespace Isthmus.Operator.Tests.Fakes;

internal sealed class RecordingEventRecorder : IEventRecorder
{
    public List<(string Name, EventType Type, string Reason, string Note)> Events { get; } = [];

    public Task RecordAsync(EventReference regarding, EventType type, string reason, string action, string note, CancellationToken cancellationToken)
    {
        Events.Add((regarding.Name, type, reason, note));
        return Task.CompletedTask;
    }
}
