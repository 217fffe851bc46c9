namespace Isthmus.Esp;

/// <summary>
/// ESP encryption (or combined-mode) algorithm with its key size. The key given to an SA includes
/// the 4-octet salt/nonce for GCM (RFC 4106 §8.1), CTR (RFC 3686 §5.1), ChaCha20-Poly1305
/// (RFC 7634 §2) and GMAC (RFC 4543 §3.2).
/// </summary>
public enum EspEncryptionAlgorithm : byte
{
    /// <summary>ENCR_NULL (RFC 2410). Tests and benchmarks only; requires an integrity algorithm or is unauthenticated.</summary>
    Null = 0,

    /// <summary>AES-CBC, 128-bit key (RFC 3602). Requires an integrity algorithm.</summary>
    AesCbc128 = 1,

    /// <summary>AES-CBC, 192-bit key (RFC 3602).</summary>
    AesCbc192 = 2,

    /// <summary>AES-CBC, 256-bit key (RFC 3602).</summary>
    AesCbc256 = 3,

    /// <summary>AES-CTR, 128-bit key + 4-octet nonce (RFC 3686). Requires an integrity algorithm.</summary>
    AesCtr128 = 4,

    /// <summary>AES-CTR, 192-bit key + 4-octet nonce (RFC 3686).</summary>
    AesCtr192 = 5,

    /// <summary>AES-CTR, 256-bit key + 4-octet nonce (RFC 3686).</summary>
    AesCtr256 = 6,

    /// <summary>AES-GCM with a 16-octet ICV, 128-bit key + 4-octet salt (RFC 4106).</summary>
    AesGcm16_128 = 7,

    /// <summary>AES-GCM with a 16-octet ICV, 192-bit key + 4-octet salt (RFC 4106).</summary>
    AesGcm16_192 = 8,

    /// <summary>AES-GCM with a 16-octet ICV, 256-bit key + 4-octet salt (RFC 4106).</summary>
    AesGcm16_256 = 9,

    /// <summary>ChaCha20-Poly1305, 256-bit key + 4-octet salt (RFC 7634).</summary>
    ChaCha20Poly1305 = 10,

    /// <summary>AES-GMAC (NULL encryption, authentication only), 128-bit key + 4-octet salt (RFC 4543).</summary>
    AesGmac128 = 11,

    /// <summary>AES-GMAC, 192-bit key + 4-octet salt (RFC 4543).</summary>
    AesGmac192 = 12,

    /// <summary>AES-GMAC, 256-bit key + 4-octet salt (RFC 4543).</summary>
    AesGmac256 = 13,
}
