using System.Security.Cryptography;
using Isthmus.Ike.Protocol;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// CBC-mode SK ciphers (RFC 7296 §3.14): ENCR_AES_CBC (RFC 3602), ENCR_3DES (RFC 2451, 192-bit key
/// with parity bits) and ENCR_BLOWFISH (RFC 2451, 40..448-bit key). The IV is one cipher block;
/// the plaintext (payloads, padding and pad length) is a whole number of blocks.
/// </summary>
internal sealed class CbcCipher : IIkeCipher
{
    public CbcCipher(EncryptionAlgorithm algorithm, int keyLengthBits)
    {
        Algorithm = algorithm;
        KeyLengthBits = keyLengthBits;
        KeySize = keyLengthBits / 8;
        BlockSize = algorithm == EncryptionAlgorithm.AesCbc ? 16 : 8;
    }

    public EncryptionAlgorithm Algorithm { get; }

    public int KeyLengthBits { get; }

    public int KeySize { get; }

    public int IvSize => BlockSize;

    public int BlockSize { get; }

    public bool IsAead => false;

    public int IcvSize => 0;

    public void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> icv)
    {
        CheckArguments(key, iv, plaintext.Length, ciphertext.Length);
        if (plaintext.Length % BlockSize != 0)
        {
            throw new ArgumentException($"{Algorithm} plaintext must be a multiple of {BlockSize} octets.", nameof(plaintext));
        }

        Transform(forEncryption: true, key, iv, plaintext, ciphertext);
    }

    public bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> icv, Span<byte> plaintext)
    {
        CheckArguments(key, iv, ciphertext.Length, plaintext.Length);
        if (ciphertext.Length % BlockSize != 0)
        {
            // A peer's SK payload whose ciphertext is not block aligned cannot be decrypted.
            return false;
        }

        Transform(forEncryption: false, key, iv, ciphertext, plaintext);
        return true;
    }

    private void CheckArguments(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, int inputLength, int outputLength)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"{Algorithm} takes a {KeySize}-octet key.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"{Algorithm} takes a {IvSize}-octet IV.", nameof(iv));
        }

        if (outputLength < inputLength)
        {
            throw new ArgumentException("The output buffer is shorter than the input.");
        }
    }

    private void Transform(bool forEncryption, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (Algorithm == EncryptionAlgorithm.Blowfish)
        {
            var keyBytes = key.ToArray();
            try
            {
                var cbc = new CbcBlockCipher(new BlowfishEngine());
                cbc.Init(forEncryption, new ParametersWithIV(new KeyParameter(keyBytes), iv.ToArray()));
                for (int offset = 0; offset < input.Length; offset += BlockSize)
                {
                    cbc.ProcessBlock(input.Slice(offset, BlockSize), output.Slice(offset, BlockSize));
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(keyBytes);
            }

            return;
        }

        using SymmetricAlgorithm algorithm = Algorithm == EncryptionAlgorithm.AesCbc ? Aes.Create() : TripleDES.Create();
        algorithm.SetKey(key);
        if (forEncryption)
        {
            algorithm.EncryptCbc(input, iv, output, PaddingMode.None);
        }
        else
        {
            algorithm.DecryptCbc(input, iv, output, PaddingMode.None);
        }
    }

    public override string ToString() => $"Encryption {Algorithm} {KeyLengthBits}";
}
