using Isthmus.Api.Schema;
using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Parameters of the IKE SA.</summary>
[CelRule("!has(self.lifetime) || !has(self.rekeyTime) || duration(self.lifetime) > duration(self.rekeyTime)", Message = "ike.lifetime must exceed ike.rekeyTime", FieldPath = ".lifetime")]
public sealed class V1Alpha1IkeSaSpec
{
    /// <summary>
    /// IKE proposals in order of preference, each a strongSwan-style keyword string: encryption, optional
    /// integrity, PRF (derived from the integrity algorithm when omitted; required with AEAD) and DH group,
    /// joined by <c>-</c>. Examples: <c>aes256gcm16-prfsha384-ecp384</c>, <c>aes128-sha256-modp2048</c>.
    /// Default: <c>aes256gcm16-prfsha384-ecp384</c>, <c>aes256-sha256-ecp256</c>.
    /// </summary>
    [MinItems(1)]
    [MaxItems(16)]
    [MaxLength(128)]
    [CelRule("self.all(p, p.matches('${ikeProposalPattern}'))", Message = "ike.proposals: unknown algorithm keyword; each proposal is strongSwan IKE keywords joined by '-', e.g. aes256gcm16-prfsha384-ecp384 (esn, noesn, null and aes*gmac are ESP only)")]
    [JsonPropertyName("proposals")]
    public List<string>? Proposals { get; set; }

    /// <summary>
    /// Time after which the IKE SA is rekeyed, as a duration such as <c>4h</c>, <c>30m</c> or <c>86400s</c>.
    /// Default: 4h.
    /// </summary>
    [Default("4h")]
    [MaxLength(64)]
    [Pattern(PatternAttribute.Duration)]
    [JsonPropertyName("rekeyTime")]
    public string? RekeyTime { get; set; }

    /// <summary>
    /// Hard lifetime of the IKE SA: it is deleted if a rekey has not succeeded by then. Must exceed
    /// rekeyTime. Default: rekeyTime plus 10 %.
    /// </summary>
    [MaxLength(64)]
    [Pattern(PatternAttribute.Duration)]
    [JsonPropertyName("lifetime")]
    public string? Lifetime { get; set; }

    /// <summary>
    /// Interval of dead peer detection: an empty INFORMATIONAL is sent when nothing was received from the
    /// peer for this long. <c>0s</c> disables DPD. Default: 30s.
    /// </summary>
    [Default("30s")]
    [MaxLength(64)]
    [Pattern(PatternAttribute.Duration)]
    [JsonPropertyName("dpdDelay")]
    public string? DpdDelay { get; set; }

    /// <summary>
    /// NAT traversal (RFC 7296 section 2.23): Auto detects NAT and moves to UDP 4500, Force always
    /// encapsulates ESP in UDP, Disabled never does. Default: Auto.
    /// </summary>
    [Default("Auto")]
    [JsonPropertyName("natTraversal")]
    public V1Alpha1NatTraversal NatTraversal { get; set; } = V1Alpha1NatTraversal.Auto;

    /// <summary>Whether IKE message fragmentation (RFC 7383) is offered and used. Default: true.</summary>
    [Default(true)]
    [JsonPropertyName("fragmentation")]
    public bool Fragmentation { get; set; } = true;
}
