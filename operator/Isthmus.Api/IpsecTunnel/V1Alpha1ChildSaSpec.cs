using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Parameters of the Child SA (the ESP SA pair carrying the traffic).</summary>
public sealed class V1Alpha1ChildSaSpec
{
    /// <summary>Name of the Child SA, shown in status and logs. Default: the tunnel's name.</summary>
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>
    /// ESP proposals in order of preference, strongSwan-style keyword strings: encryption, integrity (not
    /// with AEAD), optional DH group (enables PFS on rekeys) and optional <c>esn</c>. Examples:
    /// <c>aes128gcm16-esn</c>, <c>aes256-sha256-modp2048</c>. Default: <c>aes256gcm16</c>, <c>aes128gcm16</c>.
    /// </summary>
    [JsonPropertyName("proposals")]
    public List<string>? Proposals { get; set; }

    /// <summary>Time after which the Child SA is rekeyed, e.g. <c>1h</c>. Default: 1h.</summary>
    [JsonPropertyName("rekeyTime")]
    public string? RekeyTime { get; set; }

    /// <summary>Hard time lifetime of the Child SA; must exceed rekeyTime. Default: rekeyTime plus 10 %.</summary>
    [JsonPropertyName("lifetime")]
    public string? Lifetime { get; set; }

    /// <summary>Bytes processed after which the Child SA is rekeyed. 0 or empty: no byte limit.</summary>
    [JsonPropertyName("rekeyBytes")]
    public long? RekeyBytes { get; set; }

    /// <summary>Bytes processed after which the Child SA is deleted; must exceed rekeyBytes. 0 or empty: no limit.</summary>
    [JsonPropertyName("lifeBytes")]
    public long? LifeBytes { get; set; }

    /// <summary>Packets processed after which the Child SA is rekeyed. 0 or empty: no packet limit.</summary>
    [JsonPropertyName("rekeyPackets")]
    public long? RekeyPackets { get; set; }

    /// <summary>Packets processed after which the Child SA is deleted; must exceed rekeyPackets. 0 or empty: no limit.</summary>
    [JsonPropertyName("lifePackets")]
    public long? LifePackets { get; set; }

    /// <summary>Size of the anti-replay window in packets (RFC 4303 section 3.4.3); 0 disables replay protection. Default: 32.</summary>
    [JsonPropertyName("replayWindow")]
    public int? ReplayWindow { get; set; }
}
