using System.Security.Cryptography;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// The truncated-MAC integrity transforms: AUTH_HMAC_SHA1_96 (RFC 2404), AUTH_HMAC_SHA2_256_128,
/// _384_192, _512_256 (RFC 4868 §2.6: key length equals the hash output, ICV half of it),
/// AUTH_AES_XCBC_96 (RFC 3566) and AUTH_AES_CMAC_96 (RFC 4494), both with 16-octet keys.
/// </summary>
internal sealed class MacIntegrity : IIntegrity
{
    private readonly HashAlgorithmName hash;
    private readonly int fullMacSize;

    public MacIntegrity(IntegrityAlgorithm algorithm)
    {
        Algorithm = algorithm;
        (hash, fullMacSize, KeySize, IcvSize) = algorithm switch
        {
            IntegrityAlgorithm.HmacSha1_96 => (HashAlgorithmName.SHA1, 20, 20, 12),
            IntegrityAlgorithm.HmacSha2_256_128 => (HashAlgorithmName.SHA256, 32, 32, 16),
            IntegrityAlgorithm.HmacSha2_384_192 => (HashAlgorithmName.SHA384, 48, 48, 24),
            IntegrityAlgorithm.HmacSha2_512_256 => (HashAlgorithmName.SHA512, 64, 64, 32),
            IntegrityAlgorithm.AesXcbc96 => (default(HashAlgorithmName), 16, 16, 12),
            IntegrityAlgorithm.AesCmac96 => (default(HashAlgorithmName), 16, 16, 12),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported integrity algorithm."),
        };
    }

    public IntegrityAlgorithm Algorithm { get; }

    public int KeySize { get; }

    public int IcvSize { get; }

    public void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> icv)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"{Algorithm} takes a {KeySize}-octet key.", nameof(key));
        }

        if (icv.Length < IcvSize)
        {
            throw new ArgumentException($"{Algorithm} writes {IcvSize} octets.", nameof(icv));
        }

        Span<byte> full = stackalloc byte[fullMacSize];
        FullMac(key, data, full);
        full[..IcvSize].CopyTo(icv);
        CryptographicOperations.ZeroMemory(full);
    }

    public bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"{Algorithm} takes a {KeySize}-octet key.", nameof(key));
        }

        if (icv.Length != IcvSize)
        {
            return false;
        }

        Span<byte> full = stackalloc byte[fullMacSize];
        FullMac(key, data, full);
        bool ok = CryptographicOperations.FixedTimeEquals(full[..IcvSize], icv);
        CryptographicOperations.ZeroMemory(full);
        return ok;
    }

    private void FullMac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> full)
    {
        switch (Algorithm)
        {
            case IntegrityAlgorithm.AesXcbc96:
                AesBlockMac.Xcbc(key, data, full);
                break;
            case IntegrityAlgorithm.AesCmac96:
                AesBlockMac.Cmac(key, data, full);
                break;
            default:
                Hmac.Compute(hash, key, data, full);
                break;
        }
    }

    public override string ToString() => $"Integrity {Algorithm}";
}
