namespace Isthmus.Ike.Protocol;

/// <summary>Identification Types (RFC 7296 §3.5).</summary>
public enum IdType : byte
{
    Ipv4Addr = 1,
    Fqdn = 2,
    Rfc822Addr = 3,
    Ipv6Addr = 5,
    DerAsn1Dn = 9,
    DerAsn1Gn = 10,
    KeyId = 11,
}
