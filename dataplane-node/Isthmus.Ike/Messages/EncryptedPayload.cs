using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Encrypted and Authenticated payload SK (RFC 7296 §3.14). Holds the raw body (IV, ciphertext,
/// ICV); <see cref="InnerFirst"/> is the Next Payload field, naming the first inner payload.
/// Decryption happens in the SA layer, which owns the keys.
/// </summary>
public sealed partial class EncryptedPayload(PayloadType innerFirst, byte[] body) : Payload
{
    public override PayloadType Type => PayloadType.Encrypted;
    public PayloadType InnerFirst { get; } = innerFirst;
    public byte[] Body { get; } = body;
}
