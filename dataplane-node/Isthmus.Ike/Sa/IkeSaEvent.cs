using System.Net;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>Something an IKE SA reports to its owner (the daemon logs it, a later layer writes status and Events).</summary>
public abstract record IkeSaEvent(IkeSa? Sa);

public sealed record IkeSaEstablished(IkeSa Sa) : IkeSaEvent(Sa);

public sealed record ChildSaEstablished(IkeSa Sa, ChildSa Child) : IkeSaEvent(Sa);

public sealed record ChildSaFailed(IkeSa Sa, NotifyType Notify, string Reason) : IkeSaEvent(Sa);

/// <summary>A Child SA was replaced by a rekey (RFC 7296 §1.3.3); the old one is deleted next.</summary>
public sealed record ChildSaRekeyed(IkeSa Sa, ChildSa Old, ChildSa New) : IkeSaEvent(Sa);

/// <summary>The IKE SA was replaced by <paramref name="New"/>, which took over its Child SAs (RFC 7296 §2.18).</summary>
public sealed record IkeSaRekeyed(IkeSa Sa, IkeSa New) : IkeSaEvent(Sa);

/// <summary>A rekey we initiated failed; the current SA stays and the rekey is retried.</summary>
public sealed record RekeyFailed(IkeSa Sa, string Reason) : IkeSaEvent(Sa);

public sealed record ChildSaDeleted(IkeSa Sa, ChildSa Child, bool ByPeer) : IkeSaEvent(Sa);

/// <summary>The IKE SA is gone. <paramref name="Notify"/> names the RFC error when it failed (AUTHENTICATION_FAILED, NO_PROPOSAL_CHOSEN, ...).</summary>
public sealed record IkeSaClosed(IkeSa Sa, IkeSaCloseReason Reason, NotifyType? Notify, string Detail) : IkeSaEvent(Sa);

/// <summary>A message was dropped without an answer (bad ICV, unexpected message ID, not allowed in this state...). Counted, never fatal.</summary>
public sealed record MessageDropped(IkeSa? Sa, IPEndPoint From, string Reason) : IkeSaEvent(Sa);

public enum IkeSaCloseReason
{
    DeletedLocally,
    DeletedByPeer,
    Failed,
    PeerUnreachable,
    HalfOpenTimeout,
    /// <summary>Replaced by a rekeyed IKE SA, which carries on.</summary>
    Rekeyed,
}
