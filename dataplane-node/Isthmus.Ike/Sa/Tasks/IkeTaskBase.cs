using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>Shared plumbing of the tasks: the SA they work on, their role and the failure bookkeeping.</summary>
public abstract class IkeTaskBase(IkeSa sa, bool initiator) : IIkeTask
{
    protected IkeSa Sa { get; } = sa;

    /// <summary>True when this end sends the request of the exchange the task belongs to.</summary>
    public bool IsInitiator { get; } = initiator;

    public abstract ExchangeType Exchange { get; }
    public NotifyPayload? ErrorNotify { get; protected set; }
    public string? FailureReason { get; protected set; }

    public abstract TaskStatus Build(List<Payload> message, IkeOutput output);
    public abstract TaskStatus Process(IkeMessage message, IkeOutput output);

    protected TaskStatus Fail(NotifyType notify, string reason, byte[]? data = null)
    {
        ErrorNotify = new NotifyPayload(notify, data);
        FailureReason = reason;
        return TaskStatus.Failed;
    }

    /// <summary>Takes over the failure of a task this one composes (ChildRekey's ChildCreate).</summary>
    protected TaskStatus FailAs(IIkeTask inner)
    {
        ErrorNotify = inner.ErrorNotify;
        FailureReason = inner.FailureReason;
        return TaskStatus.Failed;
    }

    /// <summary>The first error notify in a response, if any (RFC 7296 §3.10.1: types below 16384).</summary>
    protected static NotifyPayload? FirstError(IkeMessage m) =>
        m.GetAll<NotifyPayload>().FirstOrDefault(n => n.NotifyType.IsError());
}
