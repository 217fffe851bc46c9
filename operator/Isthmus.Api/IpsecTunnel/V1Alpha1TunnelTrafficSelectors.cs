using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>The traffic an IPsecTunnel protects. Entries from all referenced resources and the inline part are combined.</summary>
[CelRule("(has(self.refs) && size(self.refs) > 0) || has(self.inline)", Message = "trafficSelectors needs at least one of refs or inline")]
public sealed class V1Alpha1TunnelTrafficSelectors
{
    /// <summary>Names of TrafficSelector resources in the tunnel's namespace.</summary>
    [ListType("set")]
    [MaxItems(32)]
    [MaxLength(253)]
    [Pattern(PatternAttribute.Dns1123Subdomain)]
    [JsonPropertyName("refs")]
    public List<string>? Refs { get; set; }

    /// <summary>Selectors written directly in the tunnel, in the same form as a TrafficSelector's spec.</summary>
    [JsonPropertyName("inline")]
    public V1Alpha1TrafficSelectorSpec? Inline { get; set; }
}
