using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>The remote gateway.</summary>
public sealed class V1Alpha1PeerEndpoint
{
    /// <summary>IPv4 or IPv6 address or DNS name of the peer gateway (strongSwan <c>remote_addrs</c>).</summary>
    [MaxLength(253)]
    [CelRule("isIP(self) || (!self.matches('^[0-9.]+$') && self.matches('" + V1Alpha1IkeIdentity.HostNamePattern + "'))", Message = "peer.address must be an IPv4 or IPv6 address or a DNS name")]
    [JsonPropertyName("address")]
    public string? Address { get; set; }

    /// <summary>UDP port of the peer's IKE service. Default: 500 (NAT traversal moves to 4500 on its own).</summary>
    [Default(500)]
    [Minimum(1)]
    [Maximum(65535)]
    [JsonPropertyName("port")]
    public int Port { get; set; } = 500;

    /// <summary>
    /// The identity the peer must authenticate as (strongSwan <c>remote.id</c>). Empty: the peer's address
    /// as an IPv4/IPv6 identity.
    /// </summary>
    [JsonPropertyName("id")]
    public V1Alpha1IkeIdentity? Id { get; set; }
}
