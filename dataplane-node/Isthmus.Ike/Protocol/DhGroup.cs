namespace Isthmus.Ike.Protocol;

/// <summary>Transform Type 4 - Key Exchange Method Transform IDs (IANA).</summary>
public enum DhGroup : ushort
{
    None = 0,
    Modp768 = 1,
    Modp1024 = 2,
    Modp1536 = 5,
    Modp2048 = 14,
    Modp3072 = 15,
    Modp4096 = 16,
    Modp6144 = 17,
    Modp8192 = 18,
    Ecp256 = 19,
    Ecp384 = 20,
    Ecp521 = 21,
    Curve25519 = 31,
    Curve448 = 32,
}
