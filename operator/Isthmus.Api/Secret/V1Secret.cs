using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// The part of a core/v1 Secret Isthmus reads: pre-shared keys (and later certificates and private keys).
/// Values are never logged or printed.
/// </summary>
public sealed class V1Secret
{
    /// <summary>The kind of this resource.</summary>
    public const string KindName = "Secret";

    /// <summary>The value of <c>apiVersion</c> for Secrets.</summary>
    public const string GroupVersion = "v1";

    /// <summary>APIVersion: always <c>v1</c>.</summary>
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = GroupVersion;

    /// <summary>Kind: always <c>Secret</c>.</summary>
    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    /// <summary>Standard object metadata.</summary>
    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>Secret type, e.g. <c>Opaque</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>Keys and base64-encoded values.</summary>
    [JsonPropertyName("data")]
    public Dictionary<string, string>? Data { get; set; }

    /// <summary>Keys and plain-text values; on write they replace the same keys in data.</summary>
    [JsonPropertyName("stringData")]
    public Dictionary<string, string>? StringData { get; set; }

    /// <summary>Redacted description: names the Secret and its keys, never the values.</summary>
    public override string ToString()
    {
        var keys = (Data?.Keys ?? Enumerable.Empty<string>()).Concat(StringData?.Keys ?? Enumerable.Empty<string>()).Distinct().Order(StringComparer.Ordinal);
        return $"Secret {Metadata.Namespace}/{Metadata.Name} (keys: {string.Join(", ", keys)})";
    }
}
