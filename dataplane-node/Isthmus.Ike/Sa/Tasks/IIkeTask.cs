using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>Outcome of a task step, as in strongSwan's task contract.</summary>
public enum TaskStatus
{
    /// <summary>The task is complete: a responder task adds nothing to the response.</summary>
    Done,
    /// <summary>
    /// The task goes on: an initiator task waits for the response, a responder task adds to the
    /// response, an IKE_SA_INIT initiator task needs the exchange once more (COOKIE, INVALID_KE_PAYLOAD).
    /// </summary>
    NeedMore,
    /// <summary>The task failed; what fails with it is the <see cref="TaskManager"/>'s call (the IKE SA, or only the CREATE_CHILD_SA).</summary>
    Failed,
}

/// <summary>
/// One concern of an exchange (RFC 7296 terms: IkeInit, IkeNatDetection, IkeAuth, ChildCreate, ...),
/// in both roles: the role comes through the constructor. As initiator the <see cref="TaskManager"/>
/// calls <see cref="Build"/> for the request and <see cref="Process"/> on the response; as
/// responder <see cref="Process"/> on the request and, when that returned
/// <see cref="TaskStatus.NeedMore"/>, <see cref="Build"/> for the response. A task that fails as
/// responder sets <see cref="ErrorNotify"/>: the response then carries that notify alone
/// (RFC 7296 §2.21). What a step reports to the owner goes to the <see cref="IkeOutput"/> it is given.
/// </summary>
public interface IIkeTask
{
    ExchangeType Exchange { get; }
    TaskStatus Build(List<Payload> message, IkeOutput output);
    TaskStatus Process(IkeMessage message, IkeOutput output);

    /// <summary>Set when the task failed with an error to report to the peer (responder) or to the owner (initiator).</summary>
    NotifyPayload? ErrorNotify { get; }

    /// <summary>Human-readable cause of a failure, without secrets.</summary>
    string? FailureReason { get; }
}
