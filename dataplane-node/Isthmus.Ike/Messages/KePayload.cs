using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Key Exchange payload (RFC 7296 §3.4).</summary>
public sealed partial class KePayload(DhGroup group, byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.KeyExchange;
    public DhGroup Group { get; } = group;
    public byte[] Data { get; } = data;
}
