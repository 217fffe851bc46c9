using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Dead peer detection (RFC 7296 §2.4), in either role: an empty INFORMATIONAL request, answered
/// by an empty response. Any authenticated response proves liveness; the <see cref="TaskManager"/>'s
/// exhausted retransmissions close the SA as unreachable.
/// <code>
/// HDR, SK {}  --&gt;
///        &lt;--  HDR, SK {}
/// </code>
/// </summary>
public sealed class IkeDpd(IkeSa sa, bool initiator) : IkeTaskBase(sa, initiator)
{
    public override ExchangeType Exchange => ExchangeType.Informational;

    public override TaskStatus Build(List<Payload> message, IkeOutput output) => IsInitiator ? TaskStatus.NeedMore : TaskStatus.Done;

    public override TaskStatus Process(IkeMessage message, IkeOutput output) => IsInitiator ? TaskStatus.Done : TaskStatus.NeedMore;
}
