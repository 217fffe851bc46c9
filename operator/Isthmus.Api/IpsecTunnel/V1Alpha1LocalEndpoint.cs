using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>This end of the tunnel.</summary>
public sealed class V1Alpha1LocalEndpoint
{
    /// <summary>
    /// IPv4 or IPv6 address on the gateway node to send IKE and ESP from (strongSwan <c>local_addrs</c>).
    /// Empty: the node's address towards the peer.
    /// </summary>
    [JsonPropertyName("address")]
    public string? Address { get; set; }

    /// <summary>
    /// The IKE identity this end presents in IDi/IDr (strongSwan <c>local.id</c>). Empty: the local address
    /// as an IPv4/IPv6 identity, which then must be set.
    /// </summary>
    [JsonPropertyName("id")]
    public V1Alpha1IkeIdentity? Id { get; set; }
}
