using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Parameters of the IKE SA.</summary>
public sealed class V1Alpha1IkeSaSpec
{
    /// <summary>
    /// IKE proposals in order of preference, each a strongSwan-style keyword string: encryption, optional
    /// integrity, PRF (derived from the integrity algorithm when omitted; required with AEAD) and DH group,
    /// joined by <c>-</c>. Examples: <c>aes256gcm16-prfsha384-ecp384</c>, <c>aes128-sha256-modp2048</c>.
    /// Default: <c>aes256gcm16-prfsha384-ecp384</c>, <c>aes256-sha256-ecp256</c>.
    /// </summary>
    [JsonPropertyName("proposals")]
    public List<string>? Proposals { get; set; }

    /// <summary>
    /// Time after which the IKE SA is rekeyed, as a duration such as <c>4h</c>, <c>30m</c> or <c>86400s</c>.
    /// Default: 4h.
    /// </summary>
    [JsonPropertyName("rekeyTime")]
    public string? RekeyTime { get; set; }

    /// <summary>
    /// Hard lifetime of the IKE SA: it is deleted if a rekey has not succeeded by then. Must exceed
    /// rekeyTime. Default: rekeyTime plus 10 %.
    /// </summary>
    [JsonPropertyName("lifetime")]
    public string? Lifetime { get; set; }

    /// <summary>
    /// Interval of dead peer detection: an empty INFORMATIONAL is sent when nothing was received from the
    /// peer for this long. <c>0s</c> disables DPD. Default: 30s.
    /// </summary>
    [JsonPropertyName("dpdDelay")]
    public string? DpdDelay { get; set; }

    /// <summary>
    /// NAT traversal (RFC 7296 section 2.23): Auto detects NAT and moves to UDP 4500, Force always
    /// encapsulates ESP in UDP, Disabled never does. Default: Auto.
    /// </summary>
    [JsonPropertyName("natTraversal")]
    public V1Alpha1NatTraversal NatTraversal { get; set; } = V1Alpha1NatTraversal.Auto;

    /// <summary>Whether IKE message fragmentation (RFC 7383) is offered and used. Default: true.</summary>
    [JsonPropertyName("fragmentation")]
    public bool Fragmentation { get; set; } = true;
}
