using System.Text;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>
/// Renders proposals with strongSwan's algorithm names (<c>encryption_algorithm_names</c>,
/// <c>integrity_algorithm_names</c>, <c>pseudo_random_function_names</c>, DH group names) so that status
/// and logs read like strongSwan's and interop tests can compare strings directly.
/// </summary>
public static class ProposalFormatter
{
    /// <summary>
    /// The form charon logs (<c>selected proposal: IKE:...</c>, without the protocol prefix): every transform
    /// in the order encryption, integrity, PRF, DH group, ESN, joined by <c>/</c>, key length appended with
    /// <c>_</c>. E.g. <c>AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384</c>,
    /// <c>AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048</c>, <c>AES_GCM_16_128/NO_EXT_SEQ</c>.
    /// </summary>
    public static string Format(Proposal proposal)
    {
        var sb = new StringBuilder();
        foreach (var type in PrintOrder)
        {
            foreach (var transform in proposal.Transforms.Where(t => t.Type == type))
            {
                if (sb.Length > 0)
                {
                    sb.Append('/');
                }
                sb.Append(Name(transform));
                if (transform.KeyLength is { } bits and > 0)
                {
                    sb.Append('_').Append(bits);
                }
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// The algorithm line of <c>swanctl --list-sas</c> for a negotiated proposal (one transform per type):
    /// key length appended with <c>-</c>; IKE always shows PRF and DH group, ESP shows the DH group only with
    /// PFS and <c>/ESN</c> only when extended sequence numbers were chosen. E.g. IKE
    /// <c>AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384</c>, ESP <c>AES_CBC-128/HMAC_SHA2_256_128/MODP_2048</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The proposal offers more than one transform of a type.</exception>
    public static string FormatSwanctl(Proposal proposal)
    {
        var single = new Dictionary<TransformType, Transform>();
        foreach (var transform in proposal.Transforms)
        {
            if (!single.TryAdd(transform.Type, transform))
            {
                throw new ArgumentException($"a negotiated proposal has one transform per type; this one has several of type {transform.Type}", nameof(proposal));
            }
        }
        var sb = new StringBuilder();
        if (single.TryGetValue(TransformType.Encryption, out var encr))
        {
            sb.Append(Name(encr));
            if (encr.KeyLength is { } bits and > 0)
            {
                sb.Append('-').Append(bits);
            }
        }
        if (single.TryGetValue(TransformType.Integrity, out var integ) && integ.Id != (ushort)IntegrityAlgorithm.None)
        {
            if (sb.Length > 0)
            {
                sb.Append('/');
            }
            sb.Append(Name(integ));
        }
        if (single.TryGetValue(TransformType.Prf, out var prf))
        {
            sb.Append('/').Append(Name(prf));
        }
        if (single.TryGetValue(TransformType.KeyExchange, out var dh) && dh.Id != (ushort)DhGroup.None)
        {
            sb.Append('/').Append(Name(dh));
        }
        if (single.TryGetValue(TransformType.ExtendedSequenceNumbers, out var esn) && esn.Id == (ushort)EsnMode.Esn)
        {
            sb.Append("/ESN");
        }
        return sb.ToString();
    }

    /// <summary>
    /// The proposal as strongSwan keywords, e.g. <c>aes256gcm16-prfsha384-ecp384</c> or
    /// <c>aes128-sha256-prfsha256-modp2048</c> (PRFs are always written out). <c>noesn</c> is left out when it
    /// is the only ESN choice, as it is the default. <see cref="ProposalParser"/> reads the result back to the
    /// same proposal.
    /// </summary>
    public static string ToKeywords(Proposal proposal)
    {
        var esnChoices = proposal.Transforms.Count(t => t.Type == TransformType.ExtendedSequenceNumbers);
        var words = new List<string>();
        foreach (var transform in proposal.Transforms.OrderBy(t => t.Type))
        {
            if (transform.Type == TransformType.ExtendedSequenceNumbers && esnChoices == 1 && transform.Id == (ushort)EsnMode.NoEsn)
            {
                continue;
            }
            words.Add(Keyword(transform));
        }
        return string.Join('-', words);
    }

    /// <summary>strongSwan's name of one transform, without key length, e.g. <c>AES_GCM_16</c>, <c>PRF_HMAC_SHA2_256</c>, <c>CURVE_25519</c>.</summary>
    public static string Name(Transform transform) => transform.Type switch
    {
        TransformType.Encryption => (EncryptionAlgorithm)transform.Id switch
        {
            EncryptionAlgorithm.Des3 => "3DES_CBC",
            EncryptionAlgorithm.Blowfish => "BLOWFISH_CBC",
            EncryptionAlgorithm.Null => "NULL",
            EncryptionAlgorithm.AesCbc => "AES_CBC",
            EncryptionAlgorithm.AesCtr => "AES_CTR",
            EncryptionAlgorithm.AesCcm8 => "AES_CCM_8",
            EncryptionAlgorithm.AesCcm12 => "AES_CCM_12",
            EncryptionAlgorithm.AesCcm16 => "AES_CCM_16",
            EncryptionAlgorithm.AesGcm8 => "AES_GCM_8",
            EncryptionAlgorithm.AesGcm12 => "AES_GCM_12",
            EncryptionAlgorithm.AesGcm16 => "AES_GCM_16",
            EncryptionAlgorithm.NullAuthAesGmac => "NULL_AES_GMAC",
            EncryptionAlgorithm.ChaCha20Poly1305 => "CHACHA20_POLY1305",
            _ => Unknown(transform),
        },
        TransformType.Integrity => (IntegrityAlgorithm)transform.Id switch
        {
            IntegrityAlgorithm.None => "NONE",
            IntegrityAlgorithm.HmacMd5_96 => "HMAC_MD5_96",
            IntegrityAlgorithm.HmacSha1_96 => "HMAC_SHA1_96",
            IntegrityAlgorithm.AesXcbc96 => "AES_XCBC_96",
            IntegrityAlgorithm.AesCmac96 => "AES_CMAC_96",
            IntegrityAlgorithm.HmacSha2_256_128 => "HMAC_SHA2_256_128",
            IntegrityAlgorithm.HmacSha2_384_192 => "HMAC_SHA2_384_192",
            IntegrityAlgorithm.HmacSha2_512_256 => "HMAC_SHA2_512_256",
            _ => Unknown(transform),
        },
        TransformType.Prf => (PrfAlgorithm)transform.Id switch
        {
            PrfAlgorithm.HmacMd5 => "PRF_HMAC_MD5",
            PrfAlgorithm.HmacSha1 => "PRF_HMAC_SHA1",
            PrfAlgorithm.AesXcbc => "PRF_AES128_XCBC",
            PrfAlgorithm.HmacSha2_256 => "PRF_HMAC_SHA2_256",
            PrfAlgorithm.HmacSha2_384 => "PRF_HMAC_SHA2_384",
            PrfAlgorithm.HmacSha2_512 => "PRF_HMAC_SHA2_512",
            PrfAlgorithm.AesCmac => "PRF_AES128_CMAC",
            _ => Unknown(transform),
        },
        TransformType.KeyExchange => (DhGroup)transform.Id switch
        {
            DhGroup.None => "MODP_NONE",
            DhGroup.Modp768 => "MODP_768",
            DhGroup.Modp1024 => "MODP_1024",
            DhGroup.Modp1536 => "MODP_1536",
            DhGroup.Modp2048 => "MODP_2048",
            DhGroup.Modp3072 => "MODP_3072",
            DhGroup.Modp4096 => "MODP_4096",
            DhGroup.Modp6144 => "MODP_6144",
            DhGroup.Modp8192 => "MODP_8192",
            DhGroup.Ecp256 => "ECP_256",
            DhGroup.Ecp384 => "ECP_384",
            DhGroup.Ecp521 => "ECP_521",
            DhGroup.Curve25519 => "CURVE_25519",
            DhGroup.Curve448 => "CURVE_448",
            _ => Unknown(transform),
        },
        TransformType.ExtendedSequenceNumbers => (EsnMode)transform.Id switch
        {
            EsnMode.NoEsn => "NO_EXT_SEQ",
            EsnMode.Esn => "EXT_SEQ",
            _ => Unknown(transform),
        },
        _ => Unknown(transform),
    };

    private static readonly TransformType[] PrintOrder =
    [
        TransformType.Encryption, TransformType.Integrity, TransformType.Prf, TransformType.KeyExchange, TransformType.ExtendedSequenceNumbers,
    ];

    private static string Unknown(Transform transform) => $"UNKNOWN_{(byte)transform.Type}_{transform.Id}";

    private static string Keyword(Transform transform)
    {
        var bits = transform.KeyLength;
        return transform.Type switch
        {
            TransformType.Encryption => (EncryptionAlgorithm)transform.Id switch
            {
                EncryptionAlgorithm.Des3 => "3des",
                EncryptionAlgorithm.Null => "null",
                EncryptionAlgorithm.ChaCha20Poly1305 => "chacha20poly1305",
                EncryptionAlgorithm.Blowfish => $"blowfish{bits ?? 128}",
                EncryptionAlgorithm.AesCbc => $"aes{bits}",
                EncryptionAlgorithm.AesCtr => $"aes{bits}ctr",
                EncryptionAlgorithm.AesCcm8 => $"aes{bits}ccm8",
                EncryptionAlgorithm.AesCcm12 => $"aes{bits}ccm12",
                EncryptionAlgorithm.AesCcm16 => $"aes{bits}ccm16",
                EncryptionAlgorithm.AesGcm8 => $"aes{bits}gcm8",
                EncryptionAlgorithm.AesGcm12 => $"aes{bits}gcm12",
                EncryptionAlgorithm.AesGcm16 => $"aes{bits}gcm16",
                EncryptionAlgorithm.NullAuthAesGmac => $"aes{bits}gmac",
                _ => Unknown(transform),
            },
            TransformType.Integrity => (IntegrityAlgorithm)transform.Id switch
            {
                IntegrityAlgorithm.HmacMd5_96 => "md5",
                IntegrityAlgorithm.HmacSha1_96 => "sha1",
                IntegrityAlgorithm.AesXcbc96 => "aesxcbc",
                IntegrityAlgorithm.AesCmac96 => "aescmac",
                IntegrityAlgorithm.HmacSha2_256_128 => "sha256",
                IntegrityAlgorithm.HmacSha2_384_192 => "sha384",
                IntegrityAlgorithm.HmacSha2_512_256 => "sha512",
                _ => Unknown(transform),
            },
            TransformType.Prf => (PrfAlgorithm)transform.Id switch
            {
                PrfAlgorithm.HmacMd5 => "prfmd5",
                PrfAlgorithm.HmacSha1 => "prfsha1",
                PrfAlgorithm.AesXcbc => "prfaesxcbc",
                PrfAlgorithm.HmacSha2_256 => "prfsha256",
                PrfAlgorithm.HmacSha2_384 => "prfsha384",
                PrfAlgorithm.HmacSha2_512 => "prfsha512",
                PrfAlgorithm.AesCmac => "prfaescmac",
                _ => Unknown(transform),
            },
            TransformType.KeyExchange => (DhGroup)transform.Id switch
            {
                DhGroup.None => "none",
                DhGroup.Curve25519 => "curve25519",
                DhGroup.Curve448 => "curve448",
                DhGroup.Ecp256 => "ecp256",
                DhGroup.Ecp384 => "ecp384",
                DhGroup.Ecp521 => "ecp521",
                DhGroup.Modp768 => "modp768",
                DhGroup.Modp1024 => "modp1024",
                DhGroup.Modp1536 => "modp1536",
                DhGroup.Modp2048 => "modp2048",
                DhGroup.Modp3072 => "modp3072",
                DhGroup.Modp4096 => "modp4096",
                DhGroup.Modp6144 => "modp6144",
                DhGroup.Modp8192 => "modp8192",
                _ => Unknown(transform),
            },
            TransformType.ExtendedSequenceNumbers => transform.Id == (ushort)EsnMode.Esn ? "esn" : "noesn",
            _ => Unknown(transform),
        };
    }
}
