using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Identification payload IDi or IDr (RFC 7296 §3.5).</summary>
public sealed partial class IdPayload(bool isInitiator, IdType idType, byte[] data) : Payload
{
    public override PayloadType Type => IsInitiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder;
    public bool IsInitiator { get; } = isInitiator;
    public IdType IdType { get; } = idType;
    public byte[] Data { get; } = data;
}
