using Isthmus.KubeClient.Events;

namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// An Event about a tunnel (events.k8s.io/v1): <paramref name="Reason"/> is one of <see cref="TunnelEventReasons"/>,
/// <paramref name="Action"/> what the daemon was doing, <paramref name="Note"/> the SPIs or the failure reason.
/// Failure notes carry no SPIs, so that a retried failure repeats the same note and is folded into one Event series.
/// </summary>
public sealed record TunnelEvent(TunnelKey Tunnel, EventType Type, string Reason, string Action, string Note);

/// <summary>The reasons of the Events the IKE daemon records, as named in the architecture.</summary>
public static class TunnelEventReasons
{
    /// <summary>An IKE SA or a Child SA was established (SPIs and algorithms in the note).</summary>
    public const string Established = "Established";

    public const string ChildSaRekeyed = "ChildSaRekeyed";

    public const string IkeSaRekeyed = "IkeSaRekeyed";

    /// <summary>An IKE SA or a Child SA was deleted, by this end or by the peer.</summary>
    public const string Deleted = "Deleted";

    /// <summary>The peer stopped answering (retransmissions exhausted, or it never completed the negotiation).</summary>
    public const string PeerUnreachable = "PeerUnreachable";

    /// <summary>AUTHENTICATION_FAILED (RFC 7296 §3.10.1): wrong PSK or identity.</summary>
    public const string AuthenticationFailed = "AuthenticationFailed";

    /// <summary>NO_PROPOSAL_CHOSEN: the proposals of the two ends have nothing in common.</summary>
    public const string NoProposalChosen = "NoProposalChosen";

    /// <summary>TS_UNACCEPTABLE: the traffic selectors of the two ends do not overlap.</summary>
    public const string TrafficSelectorUnacceptable = "TrafficSelectorUnacceptable";

    /// <summary>Any other error notify that ended a negotiation.</summary>
    public const string NegotiationFailed = "NegotiationFailed";

    /// <summary>A rekey this end started failed; the current SA stays and the rekey is retried.</summary>
    public const string RekeyFailed = "RekeyFailed";
}
