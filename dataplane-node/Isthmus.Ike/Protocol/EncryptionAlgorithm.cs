namespace Isthmus.Ike.Protocol;

/// <summary>Transform Type 1 - Encryption Algorithm Transform IDs (IANA).</summary>
public enum EncryptionAlgorithm : ushort
{
    Des3 = 3,
    Blowfish = 7,
    Null = 11,
    AesCbc = 12,
    AesCtr = 13,
    AesCcm8 = 14,
    AesCcm12 = 15,
    AesCcm16 = 16,
    AesGcm8 = 18,
    AesGcm12 = 19,
    AesGcm16 = 20,
    NullAuthAesGmac = 21,
    ChaCha20Poly1305 = 28,
}
