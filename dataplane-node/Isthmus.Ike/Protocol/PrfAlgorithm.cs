namespace Isthmus.Ike.Protocol;

/// <summary>Transform Type 2 - Pseudorandom Function Transform IDs (IANA).</summary>
public enum PrfAlgorithm : ushort
{
    HmacMd5 = 1,
    HmacSha1 = 2,
    AesXcbc = 4,
    HmacSha2_256 = 5,
    HmacSha2_384 = 6,
    HmacSha2_512 = 7,
    AesCmac = 8,
}
