using System.Buffers.Binary;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Answers an INFORMATIONAL request (RFC 7296 §1.4): a Delete of the IKE SA is acknowledged with
/// an empty response and closes the SA; a Delete of Child SAs is answered with a Delete of our
/// inbound halves (§1.4.1); an empty request is a liveness check answered empty (§2.4).
/// </summary>
public sealed class InformationalResponder(IkeSa sa) : IkeTaskBase(sa)
{
    private readonly List<byte[]> _deletedInbound = [];

    public override ExchangeType Exchange => ExchangeType.Informational;

    /// <summary>True when the peer deleted the IKE SA: the owner closes it once the response is sent.</summary>
    public bool IkeSaDeleted { get; private set; }

    public override TaskStatus Process(IkeMessage message)
    {
        foreach (var delete in message.GetAll<DeletePayload>())
        {
            if (delete.Protocol == ProtocolId.Ike)
            {
                IkeSaDeleted = true;
                continue;
            }
            if (delete.Protocol != ProtocolId.Esp) continue;
            foreach (var spi in delete.Spis)
            {
                if (spi.Length != 4) continue;
                // The peer names its inbound SPI, which is our outbound one.
                var child = Sa.ChildSas.FirstOrDefault(c => c.SpiOut == BinaryPrimitives.ReadUInt32BigEndian(spi));
                if (child is null) continue;
                Sa.RemoveChildSa(child, byPeer: true);
                _deletedInbound.Add(ChildCreate.SpiBytes(child.SpiIn));
            }
        }
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Build(List<Payload> message)
    {
        if (!IkeSaDeleted && _deletedInbound.Count > 0) message.Add(new DeletePayload(ProtocolId.Esp, _deletedInbound));
        return TaskStatus.Done;
    }
}
