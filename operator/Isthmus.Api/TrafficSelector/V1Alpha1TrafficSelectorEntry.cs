using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// One selector: an IPv4 or IPv6 address range, given either as <c>cidr</c> or as <c>addrStart</c> and
/// <c>addrEnd</c>, with an optional IP protocol and port range.
/// </summary>
public sealed class V1Alpha1TrafficSelectorEntry
{
    /// <summary>An address prefix such as <c>10.1.0.0/16</c> or <c>2001:db8::/32</c>. Excludes addrStart/addrEnd.</summary>
    [JsonPropertyName("cidr")]
    public string? Cidr { get; set; }

    /// <summary>First address of the range (inclusive); requires addrEnd of the same family.</summary>
    [JsonPropertyName("addrStart")]
    public string? AddrStart { get; set; }

    /// <summary>Last address of the range (inclusive); requires addrStart of the same family.</summary>
    [JsonPropertyName("addrEnd")]
    public string? AddrEnd { get; set; }

    /// <summary>
    /// IP protocol: a number 0-255 or one of <c>any</c>, <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>,
    /// <c>sctp</c>, <c>gre</c>. Default: any.
    /// </summary>
    [JsonPropertyName("protocol")]
    public string? Protocol { get; set; }

    /// <summary>Port range for TCP, UDP and SCTP (for ICMP: type and code, RFC 4301 section 4.4.1.1). Default: all ports.</summary>
    [JsonPropertyName("ports")]
    public V1Alpha1PortRange? Ports { get; set; }
}
