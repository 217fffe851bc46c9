namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// Where the IKE daemon reports the state it owns of each tunnel: the SA snapshot (IKE SA, Child SAs, rekey
/// counters and the IkeSaEstablished / ChildSaEstablished conditions) and the notable things that happened
/// (established, rekeyed, deleted, failed). Called on the daemon's event loop: implementations must return at
/// once and do any I/O in the background. Neither argument ever carries a key or a PSK.
/// </summary>
public interface ITunnelStatusSink : IAsyncDisposable
{
    /// <summary>The tunnel's SA state changed (or may have): the latest snapshot replaces any earlier one.</summary>
    void SnapshotChanged(TunnelSaStatus status);

    /// <summary>Something happened to the tunnel that a network engineer should see as an Event.</summary>
    void EventHappened(TunnelEvent tunnelEvent);
}
