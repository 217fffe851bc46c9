using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>A payload of a type this implementation does not know; skipped unless critical (RFC 7296 §2.5).</summary>
public sealed partial class UnknownPayload(PayloadType rawType, byte[] body) : Payload
{
    public override PayloadType Type { get; } = rawType;
    public byte[] Body { get; } = body;
}
