using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Encrypted and Authenticated payload SK (RFC 7296 §3.14). Holds the raw body (IV, ciphertext,
/// ICV); <see cref="InnerFirst"/> is the Next Payload field, naming the first inner payload.
/// Decryption happens in the SA layer, which owns the keys; the decrypted plaintext is parsed with
/// <see cref="PayloadChain.TryRead"/> and <c>insideEncrypted: true</c>. It must be the last payload.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Initialization Vector                     |
/// |         (length is block size for encryption algorithm)       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                    Encrypted IKE Payloads                     ~
/// +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |               |             Padding (0-255 octets)            |
/// +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
/// |                                               |  Pad Length   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                    Integrity Checksum Data                    ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class EncryptedPayload(PayloadType innerFirst, byte[] body) : Payload
{
    public override PayloadType Type => PayloadType.Encrypted;
    public PayloadType InnerFirst { get; } = innerFirst;
    public byte[] Body { get; } = body;

    public override int BodyLength => Body.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        Body.CopyTo(destination);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, PayloadType innerFirst, out EncryptedPayload? payload, out ParseError error)
    {
        if (body.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "Encrypted payload has an empty body", PayloadType.Encrypted);
        }

        payload = new EncryptedPayload(innerFirst, body.ToArray());
        error = default;
        return true;
    }
}
