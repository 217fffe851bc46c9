using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>An IKE identity (RFC 7296 section 3.5): its type and its value.</summary>
[CelRule("has(self.value) && size(self.value) > 0", Message = "id.value is required", FieldPath = ".value")]
[CelRule("!has(self.value) || self.type != 'IPv4' || (isIP(self.value) && ip(self.value).family() == 4)", Message = "id.value must be an IPv4 address when id.type is IPv4", FieldPath = ".value")]
[CelRule("!has(self.value) || self.type != 'IPv6' || (isIP(self.value) && ip(self.value).family() == 6)", Message = "id.value must be an IPv6 address when id.type is IPv6", FieldPath = ".value")]
[CelRule("!has(self.value) || self.type != 'FQDN' || self.value.matches('" + V1Alpha1IkeIdentity.HostNamePattern + "')", Message = "id.value must be a host name such as gw.example.com when id.type is FQDN", FieldPath = ".value")]
[CelRule("!has(self.value) || self.type != 'USER_FQDN' || self.value.matches('^[^@ ]+@[^@ ]+$')", Message = "id.value must have the form user@domain when id.type is USER_FQDN", FieldPath = ".value")]
[CelRule("!has(self.value) || self.type != 'KEY_ID' || !self.value.startsWith('0x') || self.value.matches('^0x([0-9A-Fa-f][0-9A-Fa-f])+$')", Message = "id.value starting with 0x must be an even number of hex digits when id.type is KEY_ID", FieldPath = ".value")]
public sealed class V1Alpha1IkeIdentity
{
    /// <summary>A DNS host name as CEL regular expression text (dots escaped for a CEL string literal).</summary>
    internal const string HostNamePattern = @"^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$";

    /// <summary>Identity type: IPv4, IPv6, FQDN, USER_FQDN (email form), KEY_ID or DER_ASN1_DN.</summary>
    [Required]
    [JsonPropertyName("type")]
    public V1Alpha1IkeIdentityType Type { get; set; }

    /// <summary>
    /// The identity: an address for IPv4/IPv6, a host name for FQDN, <c>user@domain</c> for USER_FQDN,
    /// <c>0x</c>-prefixed hex or a plain string for KEY_ID, and a distinguished name such as
    /// <c>C=CH, O=Example, CN=gw.example.com</c> for DER_ASN1_DN.
    /// </summary>
    [MaxLength(1024)]
    [JsonPropertyName("value")]
    public string? Value { get; set; }
}
