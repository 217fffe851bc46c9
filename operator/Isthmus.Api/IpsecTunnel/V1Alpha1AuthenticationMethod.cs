using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>IKE authentication methods supported by Isthmus.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<V1Alpha1AuthenticationMethod>))]
public enum V1Alpha1AuthenticationMethod
{
    /// <summary>Shared Key Message Integrity Code (RFC 7296 auth method 2) with a key read from a Secret.</summary>
    Psk,
}
