using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>This end of the tunnel.</summary>
[CelRule("has(self.address) || has(self.id)", Message = "local.address or local.id is required: without an id, this end presents its address", FieldPath = ".address")]
public sealed class V1Alpha1LocalEndpoint
{
    /// <summary>
    /// IPv4 or IPv6 address on the gateway node to send IKE and ESP from (strongSwan <c>local_addrs</c>).
    /// Empty: the node's address towards the peer.
    /// </summary>
    [MaxLength(45)]
    [CelRule("isIP(self)", Message = "local.address must be an IPv4 or IPv6 address")]
    [JsonPropertyName("address")]
    public string? Address { get; set; }

    /// <summary>
    /// The IKE identity this end presents in IDi/IDr (strongSwan <c>local.id</c>). Empty: the local address
    /// as an IPv4/IPv6 identity, which then must be set.
    /// </summary>
    [JsonPropertyName("id")]
    public V1Alpha1IkeIdentity? Id { get; set; }
}
