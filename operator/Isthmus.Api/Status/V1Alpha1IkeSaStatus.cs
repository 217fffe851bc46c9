using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>The established IKE SA.</summary>
public sealed class V1Alpha1IkeSaStatus
{
    /// <summary>Initiator's SPI as 16 hex digits.</summary>
    [Pattern(@"^[0-9a-fA-F]{16}$")]
    [MaxLength(16)]
    [JsonPropertyName("spiI")]
    public string? SpiI { get; set; }

    /// <summary>Responder's SPI as 16 hex digits.</summary>
    [Pattern(@"^[0-9a-fA-F]{16}$")]
    [MaxLength(16)]
    [JsonPropertyName("spiR")]
    public string? SpiR { get; set; }

    /// <summary>Negotiated algorithms as swanctl prints them, e.g. <c>AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384</c>.</summary>
    [MaxLength(256)]
    [JsonPropertyName("algorithms")]
    public string? Algorithms { get; set; }

    /// <summary>Local IKE endpoint as address:port (IPv6 in brackets).</summary>
    [MaxLength(128)]
    [JsonPropertyName("localEndpoint")]
    public string? LocalEndpoint { get; set; }

    /// <summary>Remote IKE endpoint as address:port (IPv6 in brackets).</summary>
    [MaxLength(128)]
    [JsonPropertyName("remoteEndpoint")]
    public string? RemoteEndpoint { get; set; }

    /// <summary>Whether a NAT was detected between the gateways (traffic then uses UDP 4500).</summary>
    [JsonPropertyName("natDetected")]
    public bool? NatDetected { get; set; }

    /// <summary>When the IKE SA was established.</summary>
    [MaxLength(64)]
    [JsonPropertyName("establishedAt")]
    public DateTimeOffset? EstablishedAt { get; set; }

    /// <summary>When the IKE SA will next be rekeyed.</summary>
    [MaxLength(64)]
    [JsonPropertyName("nextRekeyAt")]
    public DateTimeOffset? NextRekeyAt { get; set; }
}
