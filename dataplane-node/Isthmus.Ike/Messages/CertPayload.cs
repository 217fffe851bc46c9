using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Certificate payload (RFC 7296 §3.6).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Cert Encoding |                                               |
/// +-+-+-+-+-+-+-+-+                                               |
/// ~                       Certificate Data                        ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class CertPayload(CertificateEncoding encoding, byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.Certificate;
    public CertificateEncoding Encoding { get; } = encoding;
    public byte[] Data { get; } = data;

    public override int BodyLength => 1 + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Encoding;
        Data.CopyTo(destination[1..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out CertPayload? payload, out ParseError error)
    {
        if (body.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "CERT payload has no Cert Encoding octet", PayloadType.Certificate);
        }

        if (body.Length == 1)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "CERT payload carries no certificate data", PayloadType.Certificate);
        }

        payload = new CertPayload((CertificateEncoding)body[0], body[1..].ToArray());
        error = default;
        return true;
    }
}
