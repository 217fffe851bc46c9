using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Nonce payload Ni/Nr (RFC 7296 §3.9): 16 to 256 octets.</summary>
public sealed partial class NoncePayload(byte[] data) : Payload
{
    public const int MinLength = 16;
    public const int MaxLength = 256;
    public override PayloadType Type => PayloadType.Nonce;
    public byte[] Data { get; } = data;
}
