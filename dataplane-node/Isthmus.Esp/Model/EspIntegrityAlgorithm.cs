namespace Isthmus.Esp;

/// <summary>ESP integrity algorithm, for the non-combined ciphers (CBC, CTR, NULL).</summary>
public enum EspIntegrityAlgorithm : byte
{
    /// <summary>No separate integrity algorithm: required for AEAD ciphers (GCM, ChaCha20-Poly1305, GMAC).</summary>
    None = 0,

    /// <summary>HMAC-SHA1-96 (RFC 2404): 20-octet key, 12-octet ICV.</summary>
    HmacSha1_96 = 2,

    /// <summary>HMAC-SHA2-256-128 (RFC 4868): 32-octet key, 16-octet ICV.</summary>
    HmacSha2_256_128 = 12,

    /// <summary>HMAC-SHA2-384-192 (RFC 4868): 48-octet key, 24-octet ICV.</summary>
    HmacSha2_384_192 = 13,

    /// <summary>HMAC-SHA2-512-256 (RFC 4868): 64-octet key, 32-octet ICV.</summary>
    HmacSha2_512_256 = 14,
}
