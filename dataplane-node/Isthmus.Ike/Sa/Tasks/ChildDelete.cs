using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Deletes one Child SA pair (RFC 7296 §1.4.1): we name our inbound SPI, the peer answers with its own.
/// <code>
/// HDR, SK {D(ESP, SPI)}  --&gt;
///                   &lt;--  HDR, SK {D(ESP, SPI)}
/// </code>
/// </summary>
public sealed class ChildDelete(IkeSa sa, ChildSa child) : IkeTaskBase(sa)
{
    public override ExchangeType Exchange => ExchangeType.Informational;

    public override TaskStatus Build(List<Payload> message)
    {
        message.Add(new DeletePayload(ProtocolId.Esp, [ChildCreate.SpiBytes(child.SpiIn)]));
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Process(IkeMessage message)
    {
        Sa.RemoveChildSa(child, byPeer: false);
        return TaskStatus.Done;
    }
}
