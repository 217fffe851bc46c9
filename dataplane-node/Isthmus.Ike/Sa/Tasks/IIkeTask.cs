using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>Outcome of a task step, as in strongSwan's task contract.</summary>
public enum TaskStatus
{
    /// <summary>The task is complete.</summary>
    Done,
    /// <summary>The task needs another round of the same exchange (COOKIE, INVALID_KE_PAYLOAD retry).</summary>
    NeedMore,
    /// <summary>The task failed; the IKE SA fails with it.</summary>
    Failed,
}

/// <summary>
/// One concern of an exchange (RFC 7296 terms: IkeInit, IkeNatDetection, IkeAuth, ChildCreate, ...).
/// The initiator calls <see cref="Build"/> then, on the response, <see cref="Process"/>; the
/// responder calls <see cref="Process"/> on the request and then <see cref="Build"/> for the response.
/// A task that fails as responder sets <see cref="ErrorNotify"/>: the response then carries that
/// notify alone (RFC 7296 §2.21).
/// </summary>
public interface IIkeTask
{
    ExchangeType Exchange { get; }
    TaskStatus Build(List<Payload> message);
    TaskStatus Process(IkeMessage message);

    /// <summary>Set when the task failed with an error to report to the peer (responder) or to the owner (initiator).</summary>
    NotifyPayload? ErrorNotify { get; }

    /// <summary>Human-readable cause of a failure, without secrets.</summary>
    string? FailureReason { get; }
}
