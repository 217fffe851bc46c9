namespace Isthmus.Esp;

/// <summary>Wire parameters of the ESP algorithms: key, salt, IV, block and ICV sizes.</summary>
public static class EspAlgorithms
{
    /// <summary>Total key material (cipher key plus salt/nonce where the algorithm has one), in octets.</summary>
    public static int KeyMaterialLength(EspEncryptionAlgorithm algorithm) => CipherKeyLength(algorithm) + SaltLength(algorithm);

    /// <summary>Cipher key length in octets, without the salt.</summary>
    public static int CipherKeyLength(EspEncryptionAlgorithm algorithm) => algorithm switch
    {
        EspEncryptionAlgorithm.Null => 0,
        EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCtr128 or EspEncryptionAlgorithm.AesGcm16_128 or EspEncryptionAlgorithm.AesGmac128 => 16,
        EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCtr192 or EspEncryptionAlgorithm.AesGcm16_192 or EspEncryptionAlgorithm.AesGmac192 => 24,
        EspEncryptionAlgorithm.AesCbc256 or EspEncryptionAlgorithm.AesCtr256 or EspEncryptionAlgorithm.AesGcm16_256 or EspEncryptionAlgorithm.AesGmac256 => 32,
        EspEncryptionAlgorithm.ChaCha20Poly1305 => 32,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>Salt (GCM, GMAC, ChaCha20-Poly1305) or nonce (CTR) length in octets: the last octets of the key material.</summary>
    public static int SaltLength(EspEncryptionAlgorithm algorithm) => algorithm switch
    {
        EspEncryptionAlgorithm.Null or EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256 => 0,
        _ => 4,
    };

    /// <summary>Length of the IV carried in each packet, in octets.</summary>
    public static int IvLength(EspEncryptionAlgorithm algorithm) => algorithm switch
    {
        EspEncryptionAlgorithm.Null => 0,
        EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256 => 16,
        _ => 8,
    };

    /// <summary>The payload (plaintext + padding + 2) is padded to a multiple of this (RFC 4303 §2.4).</summary>
    public static int PadBlock(EspEncryptionAlgorithm algorithm) => algorithm switch
    {
        EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256 => 16,
        _ => 4,
    };

    /// <summary>True for combined-mode algorithms, which bring their own ICV.</summary>
    public static bool IsAead(EspEncryptionAlgorithm algorithm) => algorithm is
        EspEncryptionAlgorithm.AesGcm16_128 or EspEncryptionAlgorithm.AesGcm16_192 or EspEncryptionAlgorithm.AesGcm16_256 or
        EspEncryptionAlgorithm.ChaCha20Poly1305 or
        EspEncryptionAlgorithm.AesGmac128 or EspEncryptionAlgorithm.AesGmac192 or EspEncryptionAlgorithm.AesGmac256;

    /// <summary>True for AES-GMAC: authenticated, not encrypted.</summary>
    public static bool IsGmac(EspEncryptionAlgorithm algorithm) => algorithm is
        EspEncryptionAlgorithm.AesGmac128 or EspEncryptionAlgorithm.AesGmac192 or EspEncryptionAlgorithm.AesGmac256;

    /// <summary>Integrity key length in octets.</summary>
    public static int IntegrityKeyLength(EspIntegrityAlgorithm algorithm) => algorithm switch
    {
        EspIntegrityAlgorithm.None => 0,
        EspIntegrityAlgorithm.HmacSha1_96 => 20,
        EspIntegrityAlgorithm.HmacSha2_256_128 => 32,
        EspIntegrityAlgorithm.HmacSha2_384_192 => 48,
        EspIntegrityAlgorithm.HmacSha2_512_256 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    /// <summary>ICV length in octets of the SA's algorithm pair.</summary>
    public static int IcvLength(EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity)
    {
        if (IsAead(encryption))
        {
            return 16;
        }

        return integrity switch
        {
            EspIntegrityAlgorithm.None => 0,
            EspIntegrityAlgorithm.HmacSha1_96 => 12,
            EspIntegrityAlgorithm.HmacSha2_256_128 => 16,
            EspIntegrityAlgorithm.HmacSha2_384_192 => 24,
            EspIntegrityAlgorithm.HmacSha2_512_256 => 32,
            _ => throw new ArgumentOutOfRangeException(nameof(integrity)),
        };
    }
}
