using System.Security.Cryptography;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// PRF_AES128_XCBC (RFC 4434) and PRF_AES128_CMAC (RFC 4615): fixed 128-bit key and output.
/// A key that is not 16 octets is first turned into one exactly as the RFCs say:
/// <list type="bullet">
/// <item>RFC 4434 §2: shorter keys are padded with zero bits; longer keys are replaced by
/// AES-XCBC-PRF-128 of the key under the all-zero key.</item>
/// <item>RFC 4615 §3: any key that is not 16 octets (shorter or longer) is replaced by
/// AES-CMAC of the key under the all-zero key.</item>
/// </list>
/// </summary>
internal sealed class AesBlockMacPrf : IPrf
{
    private const int Size = AesBlockMac.BlockSize;

    public AesBlockMacPrf(PrfAlgorithm algorithm)
    {
        if (algorithm is not (PrfAlgorithm.AesXcbc or PrfAlgorithm.AesCmac))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not an AES block-MAC PRF.");
        }

        Algorithm = algorithm;
    }

    public PrfAlgorithm Algorithm { get; }

    public int OutputSize => Size;

    public int KeySize => Size;

    public bool HasFixedKeySize => true;

    public byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        Span<byte> k = stackalloc byte[Size];
        try
        {
            DeriveKey(key, k);
            var output = new byte[Size];
            Mac(k, data, output);
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(k);
        }
    }

    private void DeriveKey(ReadOnlySpan<byte> key, Span<byte> k)
    {
        if (key.Length == Size)
        {
            key.CopyTo(k);
            return;
        }

        if (Algorithm == PrfAlgorithm.AesXcbc && key.Length < Size)
        {
            k.Clear();
            key.CopyTo(k);
            return;
        }

        Span<byte> zero = stackalloc byte[Size];
        zero.Clear();
        Mac(zero, key, k);
    }

    private void Mac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (Algorithm == PrfAlgorithm.AesXcbc)
        {
            AesBlockMac.Xcbc(key, data, output);
        }
        else
        {
            AesBlockMac.Cmac(key, data, output);
        }
    }

    public override string ToString() => $"PRF {Algorithm}";
}
