using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Deletes the IKE SA and with it all its Child SAs, in either role (RFC 7296 §1.4.1). The
/// initiator closes the SA on the response; the responder acknowledges with an empty response and
/// closes the SA as it builds it (the response still goes out, protected with the SA's keys).
/// <code>
/// HDR, SK {D(IKE)}  --&gt;
///              &lt;--  HDR, SK {}
/// </code>
/// After a rekey (§2.18) the old SA closes as replaced, whichever side deletes it.
/// </summary>
public sealed class IkeDelete(IkeSa sa, bool initiator) : IkeTaskBase(sa, initiator)
{
    public override ExchangeType Exchange => ExchangeType.Informational;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        if (IsInitiator)
        {
            message.Add(new DeletePayload(ProtocolId.Ike, []));
            return TaskStatus.NeedMore;
        }
        Sa.CloseDeleted(byPeer: true, output);
        return TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output)
    {
        if (!IsInitiator) return TaskStatus.NeedMore;
        Sa.CloseDeleted(byPeer: false, output);
        return TaskStatus.Done;
    }
}
