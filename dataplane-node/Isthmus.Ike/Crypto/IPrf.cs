using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>A pseudorandom function transform (RFC 7296 §2.13, §3.3.2 type 2).</summary>
public interface IPrf
{
    PrfAlgorithm Algorithm { get; }

    /// <summary>Output length in octets (also the length of SK_d, SK_pi, SK_pr: RFC 7296 §2.14).</summary>
    int OutputSize { get; }

    /// <summary>Preferred key length in octets (RFC 7296 §2.13); fixed-key PRFs (AES-XCBC, AES-CMAC) derive their key per RFC 4434 / RFC 4615.</summary>
    int KeySize { get; }

    /// <summary>True for PRFs with a fixed key size (AES-XCBC-PRF-128, AES-CMAC-PRF-128).</summary>
    bool HasFixedKeySize { get; }

    byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data);
}
