using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>NAT traversal mode (RFC 7296 section 2.23, RFC 3948).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<V1Alpha1NatTraversal>))]
public enum V1Alpha1NatTraversal
{
    /// <summary>Detect NAT with NAT_DETECTION notifies and encapsulate ESP in UDP 4500 only when a NAT is found.</summary>
    Auto,

    /// <summary>Pretend a NAT is present so ESP is always encapsulated in UDP 4500 (strongSwan <c>encap = yes</c>).</summary>
    Force,

    /// <summary>Send no NAT_DETECTION notifies and never encapsulate ESP in UDP.</summary>
    Disabled,
}
