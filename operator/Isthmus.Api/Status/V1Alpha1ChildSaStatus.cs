using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>One installed Child SA (an inbound and outbound ESP SA pair).</summary>
public sealed class V1Alpha1ChildSaStatus
{
    /// <summary>Name of the Child SA.</summary>
    [MaxLength(253)]
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>Inbound ESP SPI as 8 hex digits.</summary>
    [Pattern(@"^[0-9a-fA-F]{8}$")]
    [MaxLength(8)]
    [JsonPropertyName("spiIn")]
    public string? SpiIn { get; set; }

    /// <summary>Outbound ESP SPI as 8 hex digits.</summary>
    [Pattern(@"^[0-9a-fA-F]{8}$")]
    [MaxLength(8)]
    [JsonPropertyName("spiOut")]
    public string? SpiOut { get; set; }

    /// <summary>Negotiated algorithms as swanctl prints them, e.g. <c>AES_GCM_16-128/ESN</c>.</summary>
    [MaxLength(256)]
    [JsonPropertyName("algorithms")]
    public string? Algorithms { get; set; }

    /// <summary>Negotiated local traffic selectors, e.g. <c>10.1.0.0/16</c>.</summary>
    [MaxItems(64)]
    [MaxLength(128)]
    [JsonPropertyName("localTs")]
    public List<string>? LocalTs { get; set; }

    /// <summary>Negotiated remote traffic selectors.</summary>
    [MaxItems(64)]
    [MaxLength(128)]
    [JsonPropertyName("remoteTs")]
    public List<string>? RemoteTs { get; set; }

    /// <summary>Bytes received and decrypted.</summary>
    [Minimum(0)]
    [JsonPropertyName("bytesIn")]
    public long? BytesIn { get; set; }

    /// <summary>Bytes encrypted and sent.</summary>
    [Minimum(0)]
    [JsonPropertyName("bytesOut")]
    public long? BytesOut { get; set; }

    /// <summary>Packets received and decrypted.</summary>
    [Minimum(0)]
    [JsonPropertyName("packetsIn")]
    public long? PacketsIn { get; set; }

    /// <summary>Packets encrypted and sent.</summary>
    [Minimum(0)]
    [JsonPropertyName("packetsOut")]
    public long? PacketsOut { get; set; }

    /// <summary>When the Child SA was installed.</summary>
    [MaxLength(64)]
    [JsonPropertyName("establishedAt")]
    public DateTimeOffset? EstablishedAt { get; set; }

    /// <summary>When the Child SA will next be rekeyed.</summary>
    [MaxLength(64)]
    [JsonPropertyName("nextRekeyAt")]
    public DateTimeOffset? NextRekeyAt { get; set; }
}
