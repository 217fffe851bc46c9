using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>A key of a Secret in the same namespace as the referring resource.</summary>
public sealed class V1Alpha1SecretKeySelector
{
    /// <summary>Name of the Secret.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Key within the Secret's data. Default: <c>psk</c>.</summary>
    [JsonPropertyName("key")]
    public string Key { get; set; } = "psk";
}
