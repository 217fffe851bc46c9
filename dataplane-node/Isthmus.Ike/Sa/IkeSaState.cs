namespace Isthmus.Ike.Sa;

/// <summary>Life cycle of an IKE SA (RFC 7296 §1.2, §2.2).</summary>
public enum IkeSaState
{
    /// <summary>Created, nothing sent or received yet.</summary>
    Created,
    /// <summary>IKE_SA_INIT done: keys derived, peer not yet authenticated (half-open).</summary>
    Connecting,
    /// <summary>IKE_AUTH done: the peer is authenticated.</summary>
    Established,
    /// <summary>A Delete of the IKE SA was sent and awaits its response.</summary>
    Deleting,
    /// <summary>Gone: deleted, failed or timed out. Nothing more is sent.</summary>
    Closed,
}
