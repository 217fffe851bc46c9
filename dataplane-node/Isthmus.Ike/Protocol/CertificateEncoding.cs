namespace Isthmus.Ike.Protocol;

/// <summary>Certificate Encoding (RFC 7296 §3.6).</summary>
public enum CertificateEncoding : byte
{
    Pkcs7WrappedX509 = 1,
    PgpCertificate = 2,
    DnsSignedKey = 3,
    X509Signature = 4,
    KerberosToken = 6,
    CrlX509 = 7,
    ArlX509 = 8,
    SpkiCertificate = 9,
    X509Attribute = 10,
    RawRsaKey = 11,
    HashAndUrlX509 = 12,
    HashAndUrlX509Bundle = 13,
}
