using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.Ike.Sa.Tasks;
using TaskStatus = Isthmus.Ike.Sa.Tasks.TaskStatus;

namespace Isthmus.Ike.Tests.Sa.Tasks;

/// <summary>
/// Runs one exchange between two tasks directly, without task managers or encryption: the
/// initiator's Build, the responder's Process and Build, the initiator's Process.
/// </summary>
internal sealed class TaskExchange(IkeSa initiatorSa, IIkeTask initiator, IIkeTask responder)
{
    public IkeOutput InitiatorOutput { get; } = new();
    public IkeOutput ResponderOutput { get; } = new();
    public List<Payload> Request { get; } = [];
    public List<Payload> Response { get; } = [];

    public TaskStatus RequestBuilt { get; private set; }
    public TaskStatus RequestProcessed { get; private set; }
    public TaskStatus ResponseProcessed { get; private set; }

    /// <summary>Both halves; the responder builds only when its Process asked for it, as the task manager does.</summary>
    public TaskExchange Run()
    {
        RequestBuilt = initiator.Build(Request, InitiatorOutput);
        RequestProcessed = responder.Process(Message(Request, isResponse: false), ResponderOutput);
        if (RequestProcessed == TaskStatus.NeedMore) responder.Build(Response, ResponderOutput);
        if (RequestProcessed == TaskStatus.Failed) Response.Add(responder.ErrorNotify!);
        ResponseProcessed = initiator.Process(Message(Response, isResponse: true), InitiatorOutput);
        return this;
    }

    private IkeMessage Message(List<Payload> payloads, bool isResponse) => new(
        new IkeHeader(initiatorSa.SpiI, initiatorSa.SpiR, PayloadType.NoNextPayload, initiator.Exchange,
            isResponse ? IkeHeaderFlags.Response : IkeHeaderFlags.None, 2, 0),
        payloads);
}
