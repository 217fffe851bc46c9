using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Certificate payload (RFC 7296 §3.6).</summary>
public sealed partial class CertPayload(CertificateEncoding encoding, byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.Certificate;
    public CertificateEncoding Encoding { get; } = encoding;
    public byte[] Data { get; } = data;
}
