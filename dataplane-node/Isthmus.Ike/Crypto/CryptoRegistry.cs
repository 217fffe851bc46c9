using System.Diagnostics.CodeAnalysis;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Creates the transform implementations for negotiated IANA transform IDs. Each Try method
/// returns false for an algorithm or key length Isthmus does not implement, so the proposal
/// logic can skip that transform instead of failing.
/// </summary>
public static class CryptoRegistry
{
    /// <summary>PRF_HMAC_SHA1, PRF_HMAC_SHA2_256/384/512, PRF_AES128_XCBC (RFC 4434), PRF_AES128_CMAC (RFC 4615).</summary>
    public static bool TryCreatePrf(PrfAlgorithm algorithm, [NotNullWhen(true)] out IPrf? prf)
    {
        prf = algorithm switch
        {
            PrfAlgorithm.HmacSha1 or PrfAlgorithm.HmacSha2_256 or PrfAlgorithm.HmacSha2_384 or PrfAlgorithm.HmacSha2_512 => new HmacPrf(algorithm),
            PrfAlgorithm.AesXcbc or PrfAlgorithm.AesCmac => new AesBlockMacPrf(algorithm),
            _ => null,
        };
        return prf is not null;
    }

    /// <summary>AUTH_HMAC_SHA1_96, AUTH_HMAC_SHA2_256_128/384_192/512_256, AUTH_AES_XCBC_96, AUTH_AES_CMAC_96.</summary>
    public static bool TryCreateIntegrity(IntegrityAlgorithm algorithm, [NotNullWhen(true)] out IIntegrity? integrity)
    {
        integrity = algorithm switch
        {
            IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacSha2_256_128 or IntegrityAlgorithm.HmacSha2_384_192
                or IntegrityAlgorithm.HmacSha2_512_256 or IntegrityAlgorithm.AesXcbc96 or IntegrityAlgorithm.AesCmac96 => new MacIntegrity(algorithm),
            _ => null,
        };
        return integrity is not null;
    }

    /// <summary>
    /// An SK cipher for a transform ID and its Key Length attribute in bits (0 when the transform
    /// carried none). AES-CBC, AES-CTR and AES-GCM need 128, 192 or 256; 3DES takes 0 or 192;
    /// ChaCha20-Poly1305 takes 0 or 256; Blowfish takes 40..448 in whole octets, default 128.
    /// </summary>
    public static bool TryCreateCipher(EncryptionAlgorithm algorithm, int keyLengthBits, [NotNullWhen(true)] out IIkeCipher? cipher)
    {
        cipher = null;
        if (!TryNormalizeKeyLength(algorithm, keyLengthBits, out int bits))
        {
            return false;
        }

        cipher = algorithm switch
        {
            EncryptionAlgorithm.AesCbc or EncryptionAlgorithm.Des3 or EncryptionAlgorithm.Blowfish => new CbcCipher(algorithm, bits),
            EncryptionAlgorithm.AesCtr => new AesCtrCipher(bits),
            EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16
                or EncryptionAlgorithm.ChaCha20Poly1305 => new AeadCipher(algorithm, bits),
            _ => null,
        };
        return cipher is not null;
    }

    /// <summary>A fresh ephemeral key pair for a key exchange method (RFC 7296 §3.4).</summary>
    public static bool TryCreateKeyExchange(DhGroup group, [NotNullWhen(true)] out IKeyExchange? keyExchange)
    {
        keyExchange = (IKeyExchange?)ModpKeyExchange.TryCreate(group)
            ?? (IKeyExchange?)EcpKeyExchange.TryCreate(group)
            ?? MontgomeryKeyExchange.TryCreate(group);
        return keyExchange is not null;
    }

    /// <summary>The exact length of a KE payload's key exchange data for a group; 0 when unknown.</summary>
    public static int GetKeyExchangeLength(DhGroup group)
    {
        int modp = ModpKeyExchange.LengthOf(group);
        if (modp != 0)
        {
            return modp;
        }

        int coordinate = EcpKeyExchange.CoordinateSizeOf(group);
        return coordinate != 0 ? 2 * coordinate : MontgomeryKeyExchange.SizeOf(group);
    }

    public static bool IsSupported(DhGroup group) => GetKeyExchangeLength(group) != 0;

    public static bool IsSupported(PrfAlgorithm algorithm) => algorithm is PrfAlgorithm.HmacSha1 or PrfAlgorithm.HmacSha2_256
        or PrfAlgorithm.HmacSha2_384 or PrfAlgorithm.HmacSha2_512 or PrfAlgorithm.AesXcbc or PrfAlgorithm.AesCmac;

    public static bool IsSupported(IntegrityAlgorithm algorithm) => algorithm is IntegrityAlgorithm.HmacSha1_96
        or IntegrityAlgorithm.HmacSha2_256_128 or IntegrityAlgorithm.HmacSha2_384_192 or IntegrityAlgorithm.HmacSha2_512_256
        or IntegrityAlgorithm.AesXcbc96 or IntegrityAlgorithm.AesCmac96;

    /// <summary>Whether <see cref="TryCreateCipher"/> would succeed for this transform ID and Key Length attribute.</summary>
    public static bool IsSupported(EncryptionAlgorithm algorithm, int keyLengthBits) => TryNormalizeKeyLength(algorithm, keyLengthBits, out _);

    /// <summary>True for combined-mode ciphers, with which no integrity transform is negotiated (RFC 5282 §8).</summary>
    public static bool IsAead(EncryptionAlgorithm algorithm) => algorithm is EncryptionAlgorithm.AesGcm8
        or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16 or EncryptionAlgorithm.ChaCha20Poly1305;

    private static bool TryNormalizeKeyLength(EncryptionAlgorithm algorithm, int keyLengthBits, out int bits)
    {
        bits = keyLengthBits;
        switch (algorithm)
        {
            case EncryptionAlgorithm.AesCbc or EncryptionAlgorithm.AesCtr
                or EncryptionAlgorithm.AesGcm8 or EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16:
                return keyLengthBits is 128 or 192 or 256;
            case EncryptionAlgorithm.Des3:
                bits = 192;
                return keyLengthBits is 0 or 192;
            case EncryptionAlgorithm.ChaCha20Poly1305:
                bits = 256;
                return keyLengthBits is 0 or 256;
            case EncryptionAlgorithm.Blowfish:
                bits = keyLengthBits == 0 ? 128 : keyLengthBits;
                return bits is >= 40 and <= 448 && bits % 8 == 0;
            default:
                return false;
        }
    }
}
