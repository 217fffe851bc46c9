namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// The default sink (standalone mode and the local demo): status stays in the daemon, visible through
/// <c>isthmus-iked list-sas</c> and the log.
/// </summary>
public sealed class NoTunnelStatusSink : ITunnelStatusSink
{
    public static NoTunnelStatusSink Instance { get; } = new();

    private NoTunnelStatusSink()
    {
    }

    public void SnapshotChanged(TunnelSaStatus status)
    {
    }

    public void EventHappened(TunnelEvent tunnelEvent)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
