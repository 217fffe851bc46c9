using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Parameters of the Child SA (the ESP SA pair carrying the traffic).</summary>
[CelRule("!has(self.lifetime) || !has(self.rekeyTime) || duration(self.lifetime) > duration(self.rekeyTime)", Message = "child.lifetime must exceed child.rekeyTime", FieldPath = ".lifetime")]
[CelRule("!has(self.lifeBytes) || !has(self.rekeyBytes) || self.lifeBytes == 0 || self.rekeyBytes == 0 || self.lifeBytes > self.rekeyBytes", Message = "child.lifeBytes must exceed child.rekeyBytes", FieldPath = ".lifeBytes")]
[CelRule("!has(self.lifePackets) || !has(self.rekeyPackets) || self.lifePackets == 0 || self.rekeyPackets == 0 || self.lifePackets > self.rekeyPackets", Message = "child.lifePackets must exceed child.rekeyPackets", FieldPath = ".lifePackets")]
public sealed class V1Alpha1ChildSaSpec
{
    /// <summary>Name of the Child SA, shown in status and logs. Default: the tunnel's name.</summary>
    [MaxLength(63)]
    [Pattern(@"^[A-Za-z0-9][-_.A-Za-z0-9]*$")]
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>
    /// ESP proposals in order of preference, strongSwan-style keyword strings: encryption, integrity (not
    /// with AEAD), optional DH group (enables PFS on rekeys) and optional <c>esn</c>. Examples:
    /// <c>aes128gcm16-esn</c>, <c>aes256-sha256-modp2048</c>. Default: <c>aes256gcm16</c>, <c>aes128gcm16</c>.
    /// </summary>
    [MinItems(1)]
    [MaxItems(16)]
    [MaxLength(128)]
    [CelRule("self.all(p, p.matches('${espProposalPattern}'))", Message = "child.proposals: unknown algorithm keyword; each proposal is strongSwan ESP keywords joined by '-', e.g. aes128gcm16-esn or aes256-sha256-modp2048")]
    [JsonPropertyName("proposals")]
    public List<string>? Proposals { get; set; }

    /// <summary>Time after which the Child SA is rekeyed, e.g. <c>1h</c>. Default: 1h.</summary>
    [Default("1h")]
    [MaxLength(64)]
    [Pattern(PatternAttribute.Duration)]
    [JsonPropertyName("rekeyTime")]
    public string? RekeyTime { get; set; }

    /// <summary>Hard time lifetime of the Child SA; must exceed rekeyTime. Default: rekeyTime plus 10 %.</summary>
    [MaxLength(64)]
    [Pattern(PatternAttribute.Duration)]
    [JsonPropertyName("lifetime")]
    public string? Lifetime { get; set; }

    /// <summary>Bytes processed after which the Child SA is rekeyed. 0 or empty: no byte limit.</summary>
    [Minimum(0)]
    [JsonPropertyName("rekeyBytes")]
    public long? RekeyBytes { get; set; }

    /// <summary>Bytes processed after which the Child SA is deleted; must exceed rekeyBytes. 0 or empty: no limit.</summary>
    [Minimum(0)]
    [JsonPropertyName("lifeBytes")]
    public long? LifeBytes { get; set; }

    /// <summary>Packets processed after which the Child SA is rekeyed. 0 or empty: no packet limit.</summary>
    [Minimum(0)]
    [JsonPropertyName("rekeyPackets")]
    public long? RekeyPackets { get; set; }

    /// <summary>Packets processed after which the Child SA is deleted; must exceed rekeyPackets. 0 or empty: no limit.</summary>
    [Minimum(0)]
    [JsonPropertyName("lifePackets")]
    public long? LifePackets { get; set; }

    /// <summary>Size of the anti-replay window in packets (RFC 4303 section 3.4.3); 0 disables replay protection. Default: 32.</summary>
    [Default(32)]
    [Minimum(0)]
    [JsonPropertyName("replayWindow")]
    public int? ReplayWindow { get; set; }
}
