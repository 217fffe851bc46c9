using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Certificate Request payload (RFC 7296 §3.7).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Cert Encoding |                                               |
/// +-+-+-+-+-+-+-+-+                                               |
/// ~                    Certification Authority                    ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The Certification Authority field may be empty (a request for any certificate); its structure
/// (20-octet SHA-1 hashes for X.509) is interpreted by the authentication layer.
/// </summary>
public sealed partial class CertReqPayload(CertificateEncoding encoding, byte[] authorities) : Payload
{
    public override PayloadType Type => PayloadType.CertificateRequest;
    public CertificateEncoding Encoding { get; } = encoding;
    /// <summary>Concatenated SHA-1 hashes of CA public keys (20 octets each for X.509).</summary>
    public byte[] Authorities { get; } = authorities;

    public override int BodyLength => 1 + Authorities.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Encoding;
        Authorities.CopyTo(destination[1..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out CertReqPayload? payload, out ParseError error)
    {
        if (body.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "CERTREQ payload has no Cert Encoding octet", PayloadType.CertificateRequest);
        }

        payload = new CertReqPayload((CertificateEncoding)body[0], body[1..].ToArray());
        error = default;
        return true;
    }
}
