using System.Security.Cryptography;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// PRF_HMAC_SHA1 (RFC 2104, RFC 7296 §3.3.2) and PRF_HMAC_SHA2_256/384/512 (RFC 4868 §2.1).
/// Keys of any length are accepted; the preferred key length is the hash output length.
/// </summary>
internal sealed class HmacPrf : IPrf
{
    private readonly HashAlgorithmName hash;

    public HmacPrf(PrfAlgorithm algorithm)
    {
        Algorithm = algorithm;
        (hash, OutputSize) = algorithm switch
        {
            PrfAlgorithm.HmacSha1 => (HashAlgorithmName.SHA1, 20),
            PrfAlgorithm.HmacSha2_256 => (HashAlgorithmName.SHA256, 32),
            PrfAlgorithm.HmacSha2_384 => (HashAlgorithmName.SHA384, 48),
            PrfAlgorithm.HmacSha2_512 => (HashAlgorithmName.SHA512, 64),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not an HMAC PRF."),
        };
    }

    public PrfAlgorithm Algorithm { get; }

    public int OutputSize { get; }

    public int KeySize => OutputSize;

    public bool HasFixedKeySize => false;

    public byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data)
    {
        var output = new byte[OutputSize];
        Hmac.Compute(hash, key, data, output);
        return output;
    }

    public override string ToString() => $"PRF {Algorithm}";
}

/// <summary>One-shot HMAC over the hash algorithms IKEv2 negotiates.</summary>
internal static class Hmac
{
    public static void Compute(HashAlgorithmName hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (hash == HashAlgorithmName.SHA1)
        {
            HMACSHA1.HashData(key, data, output);
        }
        else if (hash == HashAlgorithmName.SHA256)
        {
            HMACSHA256.HashData(key, data, output);
        }
        else if (hash == HashAlgorithmName.SHA384)
        {
            HMACSHA384.HashData(key, data, output);
        }
        else if (hash == HashAlgorithmName.SHA512)
        {
            HMACSHA512.HashData(key, data, output);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(hash), hash.Name, "Unsupported HMAC hash.");
        }
    }
}
