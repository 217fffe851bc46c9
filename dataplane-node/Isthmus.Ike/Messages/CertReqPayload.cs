using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Certificate Request payload (RFC 7296 §3.7).</summary>
public sealed partial class CertReqPayload(CertificateEncoding encoding, byte[] authorities) : Payload
{
    public override PayloadType Type => PayloadType.CertificateRequest;
    public CertificateEncoding Encoding { get; } = encoding;
    /// <summary>Concatenated SHA-1 hashes of CA public keys (20 octets each for X.509).</summary>
    public byte[] Authorities { get; } = authorities;
}
