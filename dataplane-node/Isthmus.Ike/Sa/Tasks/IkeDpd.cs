using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Dead peer detection (RFC 7296 §2.4): an empty INFORMATIONAL request. Any authenticated
/// response proves liveness; exhausted retransmissions close the SA as unreachable.
/// </summary>
public sealed class IkeDpd(IkeSa sa) : IkeTaskBase(sa)
{
    public override ExchangeType Exchange => ExchangeType.Informational;
    public override TaskStatus Build(List<Payload> message) => TaskStatus.NeedMore;
    public override TaskStatus Process(IkeMessage message) => TaskStatus.Done;
}
