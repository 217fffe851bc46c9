using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>An inclusive port range.</summary>
[CelRule("!has(self.end) || !has(self.start) || self.start <= self.end", Message = "ports.end must not be below ports.start", FieldPath = ".end")]
public sealed class V1Alpha1PortRange
{
    /// <summary>First port, 0-65535.</summary>
    [Required]
    [Minimum(0)]
    [Maximum(65535)]
    [JsonPropertyName("start")]
    public int? Start { get; set; }

    /// <summary>Last port, 0-65535, not below start. Default: start (a single port).</summary>
    [Minimum(0)]
    [Maximum(65535)]
    [JsonPropertyName("end")]
    public int? End { get; set; }
}
