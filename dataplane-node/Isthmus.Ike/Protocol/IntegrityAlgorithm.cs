namespace Isthmus.Ike.Protocol;

/// <summary>Transform Type 3 - Integrity Algorithm Transform IDs (IANA).</summary>
public enum IntegrityAlgorithm : ushort
{
    None = 0,
    HmacMd5_96 = 1,
    HmacSha1_96 = 2,
    AesXcbc96 = 5,
    AesCmac96 = 8,
    HmacSha2_256_128 = 12,
    HmacSha2_384_192 = 13,
    HmacSha2_512_256 = 14,
}
