using System.Buffers.Binary;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Deletes Child SA pairs with an INFORMATIONAL exchange, in either role (RFC 7296 §1.4.1). Each
/// side names the SPI it receives on; the responder removes the SAs the request names and answers
/// with the inbound SPIs of its halves.
/// <code>
/// HDR, SK {D(ESP, SPI)}  --&gt;
///                   &lt;--  HDR, SK {D(ESP, SPI)}
/// </code>
/// A request that also deletes the IKE SA gets an empty response: its Child SAs go with it.
/// </summary>
public sealed class ChildDelete : IkeTaskBase
{
    private readonly ChildSa? _child;
    private readonly List<byte[]> _deletedInbound = [];
    private bool _ikeSaDeleted;

    /// <summary>Deletes <paramref name="child"/> (initiator), or answers the peer's Delete (responder, <paramref name="child"/> null).</summary>
    public ChildDelete(IkeSa sa, bool initiator, ChildSa? child = null)
        : base(sa, initiator)
    {
        if (initiator && child is null) throw new ArgumentNullException(nameof(child), "the initiator of a Delete names the Child SA");
        _child = child;
    }

    public override ExchangeType Exchange => ExchangeType.Informational;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        if (IsInitiator)
        {
            message.Add(new DeletePayload(ProtocolId.Esp, [ChildCreate.SpiBytes(_child!.SpiIn)]));
            return TaskStatus.NeedMore;
        }
        if (!_ikeSaDeleted && _deletedInbound.Count > 0) message.Add(new DeletePayload(ProtocolId.Esp, _deletedInbound));
        return TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output)
    {
        if (IsInitiator)
        {
            Sa.RemoveChildSa(_child!, byPeer: false, output);
            return TaskStatus.Done;
        }
        foreach (var delete in message.GetAll<DeletePayload>())
        {
            _ikeSaDeleted |= delete.Protocol == ProtocolId.Ike;
            if (delete.Protocol != ProtocolId.Esp) continue;
            foreach (var spi in delete.Spis)
            {
                if (spi.Length != 4) continue;
                // The peer names its inbound SPI, which is our outbound one.
                var child = Sa.ChildSas.FirstOrDefault(c => c.SpiOut == BinaryPrimitives.ReadUInt32BigEndian(spi));
                if (child is null) continue;
                Sa.RemoveChildSa(child, byPeer: true, output);
                _deletedInbound.Add(ChildCreate.SpiBytes(child.SpiIn));
            }
        }
        return TaskStatus.NeedMore;
    }
}
