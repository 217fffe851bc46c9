using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Deletes the IKE SA and with it all its Child SAs (RFC 7296 §1.4.1).
/// <code>
/// HDR, SK {D(IKE)}  --&gt;
///              &lt;--  HDR, SK {}
/// </code>
/// </summary>
public sealed class IkeDelete(IkeSa sa) : IkeTaskBase(sa)
{
    public override ExchangeType Exchange => ExchangeType.Informational;

    public override TaskStatus Build(List<Payload> message)
    {
        message.Add(new DeletePayload(ProtocolId.Ike, []));
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Process(IkeMessage message) => TaskStatus.Done;
}
