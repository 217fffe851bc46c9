using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>IKE identification types (RFC 7296 section 3.5), named as network engineers write them.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<V1Alpha1IkeIdentityType>))]
public enum V1Alpha1IkeIdentityType
{
    /// <summary>ID_IPV4_ADDR: a single IPv4 address.</summary>
    [JsonStringEnumMemberName("IPv4")]
    IPv4,

    /// <summary>ID_IPV6_ADDR: a single IPv6 address.</summary>
    [JsonStringEnumMemberName("IPv6")]
    IPv6,

    /// <summary>ID_FQDN: a fully-qualified domain name, e.g. <c>hq.example.com</c>.</summary>
    [JsonStringEnumMemberName("FQDN")]
    Fqdn,

    /// <summary>ID_RFC822_ADDR: an email-style identity, e.g. <c>gw@example.com</c>.</summary>
    [JsonStringEnumMemberName("USER_FQDN")]
    UserFqdn,

    /// <summary>ID_KEY_ID: opaque octets, written as <c>0x</c>-prefixed hex or as a plain string.</summary>
    [JsonStringEnumMemberName("KEY_ID")]
    KeyId,

    /// <summary>ID_DER_ASN1_DN: an X.500 distinguished name, e.g. <c>C=CH, O=Example, CN=gw</c>.</summary>
    [JsonStringEnumMemberName("DER_ASN1_DN")]
    DerAsn1Dn,
}
