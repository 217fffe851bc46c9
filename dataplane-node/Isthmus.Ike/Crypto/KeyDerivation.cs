using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Isthmus.Ike.Crypto;

/// <summary>IKEv2 key derivation (RFC 7296 §2.13-§2.18). All inputs and outputs are raw octets.</summary>
public static class KeyDerivation
{
    private const int MaxPrfPlusBlocks = 255;

    private static readonly byte[] KeyPad = Encoding.ASCII.GetBytes("Key Pad for IKEv2");

    /// <summary>
    /// prf+ (RFC 7296 §2.13): T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n), output T1 | T2 | ...
    /// truncated to <paramref name="length"/>. The counter is one octet, so at most 255 blocks exist.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">More than 255 PRF blocks were asked for.</exception>
    public static byte[] PrfPlus(IPrf prf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> seed, int length)
    {
        ArgumentNullException.ThrowIfNull(prf);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int blocks = (length + prf.OutputSize - 1) / prf.OutputSize;
        if (blocks > MaxPrfPlusBlocks)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"prf+ yields at most {MaxPrfPlusBlocks} blocks of {prf.OutputSize} octets.");
        }

        var output = new byte[length];
        var input = new byte[prf.OutputSize + seed.Length + 1];
        byte[] previous = [];
        int written = 0;
        try
        {
            for (int n = 1; n <= blocks; n++)
            {
                previous.CopyTo(input, 0);
                seed.CopyTo(input.AsSpan(previous.Length));
                input[previous.Length + seed.Length] = (byte)n;
                var block = prf.Compute(key, input.AsSpan(0, previous.Length + seed.Length + 1));
                CryptographicOperations.ZeroMemory(previous);
                previous = block;
                int take = Math.Min(block.Length, length - written);
                block.AsSpan(0, take).CopyTo(output.AsSpan(written));
                written += take;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(previous);
            CryptographicOperations.ZeroMemory(input);
        }

        return output;
    }

    /// <summary>
    /// SKEYSEED = prf(Ni | Nr, g^ir) (RFC 7296 §2.14). For PRFs with a fixed key size
    /// (AES-XCBC-PRF-128, AES-CMAC-PRF-128) the key is the first 64 bits of Ni followed by the
    /// first 64 bits of Nr.
    /// </summary>
    public static byte[] ComputeSkeyseed(IPrf prf, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ReadOnlySpan<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(prf);
        byte[] key;
        if (prf.HasFixedKeySize)
        {
            if (ni.Length < 8 || nr.Length < 8)
            {
                throw new ArgumentException("Nonces must be at least 8 octets for a fixed-key PRF.");
            }

            key = [.. ni[..8], .. nr[..8]];
        }
        else
        {
            key = [.. ni, .. nr];
        }

        try
        {
            return prf.Compute(key, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr) for an IKE SA rekey (RFC 7296 §2.18).</summary>
    public static byte[] ComputeRekeySkeyseed(IPrf prf, ReadOnlySpan<byte> oldSkD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr)
    {
        ArgumentNullException.ThrowIfNull(prf);
        byte[] data = [.. sharedSecret, .. ni, .. nr];
        try
        {
            return prf.Compute(oldSkD, data);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(data);
        }
    }

    /// <summary>
    /// {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)
    /// (RFC 7296 §2.14). SK_d, SK_pi and SK_pr take the PRF's preferred key length; SK_e* take
    /// <paramref name="encryptionKeySize"/> octets (key plus salt for AEAD/CTR, i.e. IIkeCipher.KeySize)
    /// and SK_a* take <paramref name="integrityKeySize"/> octets (0 with an AEAD cipher).
    /// </summary>
    public static IkeKeys DeriveIkeKeys(IPrf prf, ReadOnlySpan<byte> skeyseed, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, ulong spiI, ulong spiR, int encryptionKeySize, int integrityKeySize)
    {
        ArgumentNullException.ThrowIfNull(prf);
        ArgumentOutOfRangeException.ThrowIfNegative(encryptionKeySize);
        ArgumentOutOfRangeException.ThrowIfNegative(integrityKeySize);
        var seed = new byte[ni.Length + nr.Length + 16];
        ni.CopyTo(seed);
        nr.CopyTo(seed.AsSpan(ni.Length));
        BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length), spiI);
        BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length + 8), spiR);

        int prfKey = prf.KeySize;
        int total = 3 * prfKey + 2 * integrityKeySize + 2 * encryptionKeySize;
        var keymat = PrfPlus(prf, skeyseed, seed, total);
        try
        {
            int offset = 0;
            byte[] Take(int n)
            {
                var part = keymat.AsSpan(offset, n).ToArray();
                offset += n;
                return part;
            }

            var skD = Take(prfKey);
            var skAi = Take(integrityKeySize);
            var skAr = Take(integrityKeySize);
            var skEi = Take(encryptionKeySize);
            var skEr = Take(encryptionKeySize);
            var skPi = Take(prfKey);
            var skPr = Take(prfKey);
            return new IkeKeys(skD, skAi, skAr, skEi, skEr, skPi, skPr);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keymat);
        }
    }

    /// <summary>
    /// KEYMAT = prf+ (SK_d, Ni | Nr), or prf+ (SK_d, g^ir (new) | Ni | Nr) when the CREATE_CHILD_SA
    /// exchange carried KE payloads (pass an empty <paramref name="sharedSecret"/> otherwise),
    /// taken as encryption then integrity key for I->R, then for R->I (RFC 7296 §2.17).
    /// </summary>
    public static ChildKeys DeriveChildKeys(IPrf prf, ReadOnlySpan<byte> skD, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> ni, ReadOnlySpan<byte> nr, int encryptionKeySize, int integrityKeySize)
    {
        ArgumentNullException.ThrowIfNull(prf);
        ArgumentOutOfRangeException.ThrowIfNegative(encryptionKeySize);
        ArgumentOutOfRangeException.ThrowIfNegative(integrityKeySize);
        byte[] seed = [.. sharedSecret, .. ni, .. nr];
        var keymat = PrfPlus(prf, skD, seed, 2 * (encryptionKeySize + integrityKeySize));
        try
        {
            int e = encryptionKeySize;
            int a = integrityKeySize;
            return new ChildKeys(
                keymat.AsSpan(0, e).ToArray(),
                keymat.AsSpan(e, a).ToArray(),
                keymat.AsSpan(e + a, e).ToArray(),
                keymat.AsSpan(2 * e + a, a).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(keymat);
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>
    /// The AUTH value for shared-key authentication (RFC 7296 §2.15):
    /// prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;InitiatorSignedOctets or ResponderSignedOctets&gt;).
    /// </summary>
    public static byte[] ComputePskAuth(IPrf prf, ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> signedOctets)
    {
        ArgumentNullException.ThrowIfNull(prf);
        var padded = prf.Compute(sharedSecret, KeyPad);
        try
        {
            return prf.Compute(padded, signedOctets);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(padded);
        }
    }
}
