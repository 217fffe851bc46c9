using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>An inclusive port range.</summary>
public sealed class V1Alpha1PortRange
{
    /// <summary>First port, 0-65535.</summary>
    [JsonPropertyName("start")]
    public int? Start { get; set; }

    /// <summary>Last port, 0-65535, not below start. Default: start (a single port).</summary>
    [JsonPropertyName("end")]
    public int? End { get; set; }
}
