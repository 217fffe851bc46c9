using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>One strongSwan proposal keyword: the transform it stands for.</summary>
internal sealed record ProposalKeyword(string Name, TransformType Type, ushort Id, ushort? KeyLength);

/// <summary>
/// The proposal keywords of strongSwan 5.9 (<c>proposal_keywords_static.txt</c>) that Isthmus implements,
/// plus the ones strongSwan knows and Isthmus deliberately does not, so that those get a clearer error
/// than "unknown".
/// </summary>
internal static class ProposalKeywords
{
    private static readonly Dictionary<string, ProposalKeyword> ByName = Build();

    /// <summary>strongSwan keywords Isthmus rejects, with the reason shown to the user.</summary>
    private static readonly Dictionary<string, string> Unsupported = BuildUnsupported();

    /// <summary>Every implemented keyword (for the CRD generator's CEL rules).</summary>
    public static IEnumerable<ProposalKeyword> All => ByName.Values;

    public static bool TryGet(string name, out ProposalKeyword keyword) =>
        ByName.TryGetValue(name, out keyword!);

    public static bool TryGetUnsupportedReason(string name, out string reason) =>
        Unsupported.TryGetValue(name, out reason!);

    private static Dictionary<string, ProposalKeyword> Build()
    {
        var table = new Dictionary<string, ProposalKeyword>(StringComparer.Ordinal);
        void Add(string name, TransformType type, ushort id, ushort? keyLength = null) =>
            table.Add(name, new ProposalKeyword(name, type, id, keyLength));
        void Encr(string name, EncryptionAlgorithm alg, ushort? keyLength = null) =>
            Add(name, TransformType.Encryption, (ushort)alg, keyLength);

        Encr("null", EncryptionAlgorithm.Null);
        Encr("3des", EncryptionAlgorithm.Des3);
        Encr("aes", EncryptionAlgorithm.AesCbc, 128);
        foreach (ushort bits in (ushort[])[128, 192, 256])
        {
            Encr($"aes{bits}", EncryptionAlgorithm.AesCbc, bits);
            Encr($"aes{bits}ctr", EncryptionAlgorithm.AesCtr, bits);
            Encr($"aes{bits}ccm8", EncryptionAlgorithm.AesCcm8, bits);
            Encr($"aes{bits}ccm64", EncryptionAlgorithm.AesCcm8, bits);
            Encr($"aes{bits}ccm12", EncryptionAlgorithm.AesCcm12, bits);
            Encr($"aes{bits}ccm96", EncryptionAlgorithm.AesCcm12, bits);
            Encr($"aes{bits}ccm16", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{bits}ccm128", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{bits}ccm", EncryptionAlgorithm.AesCcm16, bits);
            Encr($"aes{bits}gcm8", EncryptionAlgorithm.AesGcm8, bits);
            Encr($"aes{bits}gcm64", EncryptionAlgorithm.AesGcm8, bits);
            Encr($"aes{bits}gcm12", EncryptionAlgorithm.AesGcm12, bits);
            Encr($"aes{bits}gcm96", EncryptionAlgorithm.AesGcm12, bits);
            Encr($"aes{bits}gcm16", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{bits}gcm128", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{bits}gcm", EncryptionAlgorithm.AesGcm16, bits);
            Encr($"aes{bits}gmac", EncryptionAlgorithm.NullAuthAesGmac, bits);
        }
        Encr("chacha20poly1305", EncryptionAlgorithm.ChaCha20Poly1305);
        Encr("blowfish", EncryptionAlgorithm.Blowfish, 128);
        Encr("blowfish128", EncryptionAlgorithm.Blowfish, 128);
        Encr("blowfish192", EncryptionAlgorithm.Blowfish, 192);
        Encr("blowfish256", EncryptionAlgorithm.Blowfish, 256);

        void Integ(string name, IntegrityAlgorithm alg) => Add(name, TransformType.Integrity, (ushort)alg);
        Integ("sha", IntegrityAlgorithm.HmacSha1_96);
        Integ("sha1", IntegrityAlgorithm.HmacSha1_96);
        Integ("sha256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha2_256", IntegrityAlgorithm.HmacSha2_256_128);
        Integ("sha384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha2_384", IntegrityAlgorithm.HmacSha2_384_192);
        Integ("sha512", IntegrityAlgorithm.HmacSha2_512_256);
        Integ("sha2_512", IntegrityAlgorithm.HmacSha2_512_256);
        Integ("aesxcbc", IntegrityAlgorithm.AesXcbc96);
        Integ("aescmac", IntegrityAlgorithm.AesCmac96);

        void Prf(string name, PrfAlgorithm alg) => Add(name, TransformType.Prf, (ushort)alg);
        Prf("prfsha1", PrfAlgorithm.HmacSha1);
        Prf("prfsha256", PrfAlgorithm.HmacSha2_256);
        Prf("prfsha384", PrfAlgorithm.HmacSha2_384);
        Prf("prfsha512", PrfAlgorithm.HmacSha2_512);
        Prf("prfaesxcbc", PrfAlgorithm.AesXcbc);
        Prf("prfaescmac", PrfAlgorithm.AesCmac);

        void Dh(string name, DhGroup group) => Add(name, TransformType.KeyExchange, (ushort)group);
        Dh("modp768", DhGroup.Modp768);
        Dh("modp1024", DhGroup.Modp1024);
        Dh("modp1536", DhGroup.Modp1536);
        Dh("modp2048", DhGroup.Modp2048);
        Dh("modp3072", DhGroup.Modp3072);
        Dh("modp4096", DhGroup.Modp4096);
        Dh("modp6144", DhGroup.Modp6144);
        Dh("modp8192", DhGroup.Modp8192);
        Dh("ecp256", DhGroup.Ecp256);
        Dh("ecp384", DhGroup.Ecp384);
        Dh("ecp521", DhGroup.Ecp521);
        Dh("curve25519", DhGroup.Curve25519);
        Dh("x25519", DhGroup.Curve25519);
        Dh("curve448", DhGroup.Curve448);
        Dh("x448", DhGroup.Curve448);

        Add("esn", TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.Esn);
        Add("noesn", TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.NoEsn);
        return table;
    }

    private static Dictionary<string, string> BuildUnsupported()
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["md5"] = "HMAC-MD5 must not be used with IKEv2 (RFC 8247 section 2.3)",
            ["md5_128"] = "HMAC-MD5 must not be used with IKEv2 (RFC 8247 section 2.3)",
            ["prfmd5"] = "PRF-HMAC-MD5 must not be used with IKEv2 (RFC 8247 section 2.2)",
            ["des"] = "single DES must not be used (RFC 8247 section 2.1)",
            ["chacha20poly1305compat"] = "the pre-RFC 7634 ChaCha20-Poly1305 variant is not implemented",
            ["none"] = "use a proposal without a DH group for no PFS",
            ["modpnone"] = "use a proposal without a DH group for no PFS",
            ["modpnull"] = "MODP_NULL is for testing only",
        };
        foreach (var name in (string[])["sha1_160", "sha256_96", "sha2_256_96", "camelliaxcbc", "prfcamelliaxcbc",
                     "cast128", "ecp192", "ecp224", "modp1024s160", "modp2048s224", "modp2048s256",
                     "ecp224bp", "ecp256bp", "ecp384bp", "ecp512bp", "ntru112", "ntru128", "ntru192", "ntru256"])
        {
            table[name] = "not implemented by Isthmus";
        }
        foreach (var family in (string[])["camellia", "serpent", "twofish"])
        {
            table[family] = "not implemented by Isthmus";
            foreach (var bits in (string[])["128", "192", "256"])
            {
                table[family + bits] = "not implemented by Isthmus";
                if (family == "camellia")
                {
                    table[$"camellia{bits}ctr"] = "not implemented by Isthmus";
                    foreach (var icv in (string[])["8", "64", "12", "96", "16", "128"])
                    {
                        table[$"camellia{bits}ccm{icv}"] = "not implemented by Isthmus";
                    }
                }
            }
        }
        return table;
    }
}
