using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// One selector: an IPv4 or IPv6 address range, given either as <c>cidr</c> or as <c>addrStart</c> and
/// <c>addrEnd</c>, with an optional IP protocol and port range.
/// </summary>
/// <remarks>
/// That addrStart is not above addrEnd is checked by the operator's validator (the IKE daemon's own config
/// builder), not by CEL: CEL has no order on IP addresses, and a rule that finds the first differing bit costs
/// far more than the API server's budget allows.
/// </remarks>
[CelRule("has(self.cidr) != (has(self.addrStart) || has(self.addrEnd))", Message = "exactly one of cidr or addrStart/addrEnd must be set")]
[CelRule("has(self.addrStart) == has(self.addrEnd)", Message = "addrStart and addrEnd must be set together", FieldPath = ".addrEnd")]
[CelRule("!has(self.addrStart) || !has(self.addrEnd) || !isIP(self.addrStart) || !isIP(self.addrEnd) || ip(self.addrStart).family() == ip(self.addrEnd).family()", Message = "addrStart and addrEnd must be of the same address family (both IPv4 or both IPv6)", FieldPath = ".addrEnd")]
[CelRule("!has(self.ports) || (has(self.protocol) && (type(self.protocol) == int ? self.protocol != 0 : !(self.protocol in ${protocolAnySpellings})))", Message = "ports need a protocol other than any (RFC 7296 section 3.13.1)", FieldPath = ".ports")]
public sealed class V1Alpha1TrafficSelectorEntry
{
    /// <summary>The protocol keywords and numbers 0-255 (no leading zeros), case-insensitive.</summary>
    internal const string ProtocolPattern = "^(?i:any|icmp|tcp|udp|gre|icmpv6|ipv6-icmp|sctp|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$";

    /// <summary>An address prefix such as <c>10.1.0.0/16</c> or <c>2001:db8::/32</c>. Excludes addrStart/addrEnd.</summary>
    [MaxLength(49)]
    [CelRule("isCIDR(self)", Message = "cidr must be an IPv4 or IPv6 prefix such as 10.1.0.0/16 or 2001:db8::/32")]
    [JsonPropertyName("cidr")]
    public string? Cidr { get; set; }

    /// <summary>First address of the range (inclusive); requires addrEnd of the same family.</summary>
    [MaxLength(45)]
    [CelRule("isIP(self)", Message = "addrStart must be an IPv4 or IPv6 address")]
    [JsonPropertyName("addrStart")]
    public string? AddrStart { get; set; }

    /// <summary>Last address of the range (inclusive), not below addrStart; requires addrStart of the same family.</summary>
    [MaxLength(45)]
    [CelRule("isIP(self)", Message = "addrEnd must be an IPv4 or IPv6 address")]
    [JsonPropertyName("addrEnd")]
    public string? AddrEnd { get; set; }

    /// <summary>
    /// IP protocol: a number 0-255 or one of <c>any</c>, <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>,
    /// <c>sctp</c>, <c>gre</c>. Default: any.
    /// </summary>
    /// <remarks>
    /// Checked by the schema's pattern (texts) and minimum/maximum (numbers), not by CEL: CEL sees an
    /// int-or-string as a value of up to 3 MiB, and a regex over it is far over the cost budget.
    /// </remarks>
    [IntOrString]
    [JsonConverter(typeof(Manifests.LenientStringConverter))]
    [MaxLength(9)]
    [Pattern(ProtocolPattern)]
    [Minimum(0)]
    [Maximum(255)]
    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    /// <summary>Port range for TCP, UDP and SCTP (for ICMP: type and code, RFC 4301 section 4.4.1.1). Default: all ports.</summary>
    [JsonPropertyName("ports")]
    public V1Alpha1PortRange? Ports { get; set; }
}
