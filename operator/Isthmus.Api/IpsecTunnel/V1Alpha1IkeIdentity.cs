using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>An IKE identity (RFC 7296 section 3.5): its type and its value.</summary>
public sealed class V1Alpha1IkeIdentity
{
    /// <summary>Identity type: IPv4, IPv6, FQDN, USER_FQDN (email form), KEY_ID or DER_ASN1_DN.</summary>
    [JsonPropertyName("type")]
    public V1Alpha1IkeIdentityType Type { get; set; }

    /// <summary>
    /// The identity: an address for IPv4/IPv6, a host name for FQDN, <c>user@domain</c> for USER_FQDN,
    /// <c>0x</c>-prefixed hex or a plain string for KEY_ID, and a distinguished name such as
    /// <c>C=CH, O=Example, CN=gw.example.com</c> for DER_ASN1_DN.
    /// </summary>
    [JsonPropertyName("value")]
    public string? Value { get; set; }
}
