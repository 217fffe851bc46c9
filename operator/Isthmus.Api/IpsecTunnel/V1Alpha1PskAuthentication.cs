using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Pre-shared key authentication.</summary>
public sealed class V1Alpha1PskAuthentication
{
    /// <summary>The Secret (in the tunnel's namespace) and the key in it that holds the pre-shared key.</summary>
    [Required]
    [JsonPropertyName("secretRef")]
    public V1Alpha1SecretKeySelector SecretRef { get; set; } = new();
}
