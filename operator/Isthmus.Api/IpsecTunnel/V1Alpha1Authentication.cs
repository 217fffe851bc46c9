using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>How both ends authenticate in IKE_AUTH (RFC 7296 section 2.15).</summary>
[CelRule("self.method != 'Psk' || has(self.psk)", Message = "authentication.psk is required when authentication.method is Psk", FieldPath = ".psk")]
public sealed class V1Alpha1Authentication
{
    /// <summary>
    /// Authentication method. Psk: a pre-shared key from a Secret (both ends use the same key). X.509
    /// certificates will be a further method with its own field beside <c>psk</c>.
    /// </summary>
    [Default("Psk")]
    [JsonPropertyName("method")]
    public V1Alpha1AuthenticationMethod Method { get; set; } = V1Alpha1AuthenticationMethod.Psk;

    /// <summary>Pre-shared key settings; required when method is Psk.</summary>
    [JsonPropertyName("psk")]
    public V1Alpha1PskAuthentication? Psk { get; set; }
}
