using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Delete payload (RFC 7296 §3.11). SPI size is 0 for IKE and 4 for AH/ESP.</summary>
public sealed partial class DeletePayload(ProtocolId protocol, IReadOnlyList<byte[]> spis) : Payload
{
    public override PayloadType Type => PayloadType.Delete;
    public ProtocolId Protocol { get; } = protocol;
    public IReadOnlyList<byte[]> Spis { get; } = spis;
}
