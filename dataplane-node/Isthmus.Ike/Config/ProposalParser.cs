using System.Diagnostics.CodeAnalysis;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>
/// Parses strongSwan proposal strings (<c>aes256gcm16-prfsha384-ecp384</c>, <c>aes128-sha256-modp2048</c>,
/// <c>aes128gcm16-esn</c>) into an SA payload <see cref="Proposal"/> (RFC 7296 section 3.3): number 1, no
/// SPI, transforms in wire order (encryption, PRF, integrity, DH group, ESN), keeping the written order
/// within a type. Keywords are strongSwan 5.9's (case-insensitive).
/// </summary>
/// <remarks>
/// The rules follow strongSwan's <c>check_proposal</c>, stricter where strongSwan silently drops things:
/// <list type="bullet">
/// <item>IKE: without a PRF keyword, one PRF per integrity algorithm is derived (sha256 gives prfsha256);
/// an AEAD proposal therefore needs an explicit PRF. A DH group is required.</item>
/// <item>AEAD and non-AEAD encryption in one proposal is an error, and so is AEAD with an integrity
/// algorithm (strongSwan drops the integrity algorithm; here it is reported). Non-AEAD encryption needs an
/// integrity algorithm, in ESP too (RFC 8221 section 5).</item>
/// <item>ESP: a DH group means PFS on Child SA rekeys; without <c>esn</c>/<c>noesn</c> the proposal
/// carries No ESN. PRF keywords are ignored in ESP proposals, as strongSwan does. <c>null</c> encryption
/// and AES-GMAC are ESP only; <c>esn</c>/<c>noesn</c> are ESP only.</item>
/// <item>MD5 (RFC 8247: MUST NOT) and single DES are rejected; 3DES, Blowfish, SHA-1 and MODP groups
/// below 2048 bits are accepted for old peers and reported by <see cref="WeakAlgorithms"/>.</item>
/// </list>
/// </remarks>
public static class ProposalParser
{
    /// <summary>Parses one proposal string for <paramref name="protocol"/> (IKE or ESP).</summary>
    public static bool TryParse(string text, ProtocolId protocol, [NotNullWhen(true)] out Proposal? proposal, [NotNullWhen(false)] out string? error)
    {
        proposal = null;
        if (protocol is not (ProtocolId.Ike or ProtocolId.Esp))
        {
            error = $"only IKE and ESP proposals are supported, not {protocol}";
            return false;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty proposal";
            return false;
        }
        var quoted = text.Trim();
        var isIke = protocol == ProtocolId.Ike;
        var byType = new Dictionary<TransformType, List<ProposalKeyword>>();
        foreach (var raw in quoted.Split('-'))
        {
            var name = raw.Trim().ToLowerInvariant();
            if (name.Length == 0)
            {
                error = $"empty algorithm keyword in proposal '{quoted}'";
                return false;
            }
            if (!ProposalKeywords.TryGet(name, out var keyword))
            {
                error = ProposalKeywords.TryGetUnsupportedReason(name, out var reason)
                    ? $"algorithm keyword '{raw.Trim()}' in proposal '{quoted}' is not supported: {reason}"
                    : $"unknown algorithm keyword '{raw.Trim()}' in proposal '{quoted}'";
                return false;
            }
            if (isIke && keyword.Type == TransformType.ExtendedSequenceNumbers)
            {
                error = $"'{name}' in proposal '{quoted}' is only valid in ESP proposals";
                return false;
            }
            if (isIke && keyword.Type == TransformType.Encryption && (EncryptionAlgorithm)keyword.Id is EncryptionAlgorithm.Null or EncryptionAlgorithm.NullAuthAesGmac)
            {
                error = $"'{name}' in proposal '{quoted}' is only valid in ESP proposals: the IKE SA must be encrypted";
                return false;
            }
            if (!isIke && keyword.Type == TransformType.Prf)
            {
                continue;
            }
            if (!byType.TryGetValue(keyword.Type, out var list))
            {
                byType[keyword.Type] = list = [];
            }
            if (!list.Any(k => k.Id == keyword.Id && k.KeyLength == keyword.KeyLength))
            {
                list.Add(keyword);
            }
        }

        var encryption = byType.GetValueOrDefault(TransformType.Encryption) ?? [];
        var integrity = byType.GetValueOrDefault(TransformType.Integrity) ?? [];
        if (encryption.Count == 0)
        {
            error = $"proposal '{quoted}' has no encryption algorithm";
            return false;
        }
        var aead = encryption.Where(k => IsAead((EncryptionAlgorithm)k.Id)).ToList();
        if (aead.Count > 0 && aead.Count < encryption.Count)
        {
            error = $"proposal '{quoted}' mixes AEAD ('{aead[0].Name}') and non-AEAD ('{encryption.First(k => !IsAead((EncryptionAlgorithm)k.Id)).Name}') encryption algorithms";
            return false;
        }
        var allAead = aead.Count == encryption.Count;
        if (allAead && integrity.Count > 0)
        {
            error = $"proposal '{quoted}' combines AEAD encryption '{aead[0].Name}' with integrity algorithm '{integrity[0].Name}'; AEAD algorithms provide integrity themselves";
            return false;
        }
        if (!allAead && integrity.Count == 0)
        {
            error = $"proposal '{quoted}' needs an integrity algorithm for non-AEAD encryption '{encryption[0].Name}', e.g. sha256";
            return false;
        }

        if (isIke)
        {
            if (!byType.ContainsKey(TransformType.Prf))
            {
                if (allAead)
                {
                    error = $"AEAD proposal '{quoted}' needs an explicit PRF, e.g. prfsha256";
                    return false;
                }
                var derived = new List<ProposalKeyword>();
                foreach (var integ in integrity)
                {
                    var prf = PrfFor((IntegrityAlgorithm)integ.Id);
                    if (!derived.Any(k => k.Id == (ushort)prf))
                    {
                        derived.Add(new ProposalKeyword("prf" + integ.Name, TransformType.Prf, (ushort)prf, null));
                    }
                }
                byType[TransformType.Prf] = derived;
            }
            if (!byType.ContainsKey(TransformType.KeyExchange))
            {
                error = $"IKE proposal '{quoted}' needs a DH group, e.g. ecp256 or modp2048";
                return false;
            }
        }
        else if (!byType.ContainsKey(TransformType.ExtendedSequenceNumbers))
        {
            byType[TransformType.ExtendedSequenceNumbers] = [new ProposalKeyword("noesn", TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.NoEsn, null)];
        }

        var transforms = byType.OrderBy(p => p.Key)
            .SelectMany(p => p.Value.Select(k => new Transform(k.Type, k.Id, k.KeyLength)))
            .ToList();
        proposal = new Proposal(1, protocol, [], transforms);
        error = null;
        return true;
    }

    /// <summary>Parses one proposal string or throws <see cref="FormatException"/> with the same message.</summary>
    public static Proposal Parse(string text, ProtocolId protocol) =>
        TryParse(text, protocol, out var proposal, out var error) ? proposal : throw new FormatException(error);

    /// <summary>Whether the encryption algorithm is a combined-mode (AEAD) cipher (RFC 5282, RFC 7634).</summary>
    public static bool IsAead(EncryptionAlgorithm algorithm) => algorithm is
        EncryptionAlgorithm.AesCcm8 or EncryptionAlgorithm.AesCcm12 or EncryptionAlgorithm.AesCcm16 or
        EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16 or
        EncryptionAlgorithm.NullAuthAesGmac or EncryptionAlgorithm.ChaCha20Poly1305;

    private static PrfAlgorithm PrfFor(IntegrityAlgorithm integrity) => integrity switch
    {
        IntegrityAlgorithm.HmacSha1_96 => PrfAlgorithm.HmacSha1,
        IntegrityAlgorithm.HmacSha2_256_128 => PrfAlgorithm.HmacSha2_256,
        IntegrityAlgorithm.HmacSha2_384_192 => PrfAlgorithm.HmacSha2_384,
        IntegrityAlgorithm.HmacSha2_512_256 => PrfAlgorithm.HmacSha2_512,
        IntegrityAlgorithm.AesXcbc96 => PrfAlgorithm.AesXcbc,
        IntegrityAlgorithm.AesCmac96 => PrfAlgorithm.AesCmac,
        IntegrityAlgorithm.HmacMd5_96 => PrfAlgorithm.HmacMd5,
        _ => throw new ArgumentOutOfRangeException(nameof(integrity), integrity, "no PRF for this integrity algorithm"),
    };
}
