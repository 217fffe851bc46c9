using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>A key of a Secret in the same namespace as the referring resource.</summary>
[CelRule("has(self.name) && size(self.name) > 0", Message = "secretRef.name is required: the name of the Secret in the same namespace that holds the key", FieldPath = ".name")]
public sealed class V1Alpha1SecretKeySelector
{
    /// <summary>Name of the Secret.</summary>
    [MaxLength(253)]
    [Pattern(PatternAttribute.Dns1123Subdomain)]
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Key within the Secret's data. Default: <c>psk</c>.</summary>
    [Default("psk")]
    [MinLength(1)]
    [MaxLength(253)]
    [Pattern(@"^[-._a-zA-Z0-9]+$")]
    [JsonPropertyName("key")]
    public string Key { get; set; } = "psk";
}
