using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// A payload of a type this implementation does not know, kept raw so callers may ignore it; only
/// parsed when its critical bit is clear (RFC 7296 §2.5). An Encrypted Fragment payload (RFC 7383)
/// is also kept this way, since message fragmentation is not supported.
/// </summary>
public sealed partial class UnknownPayload(PayloadType rawType, byte[] body) : Payload
{
    public override PayloadType Type { get; } = rawType;
    public byte[] Body { get; } = body;

    public override int BodyLength => Body.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        Body.CopyTo(destination);
    }
}
