using System.Security.Cryptography;
using Isthmus.Ike.Protocol;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using NetChaCha20Poly1305 = System.Security.Cryptography.ChaCha20Poly1305;
using Org.BouncyCastle.Crypto.Parameters;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Combined-mode SK ciphers. ENCR_AES_GCM_8/12/16 (RFC 5282 §7.1, nonce format of RFC 4106 §4):
/// the keying material is the AES key followed by a 4-octet salt, and the 12-octet nonce is
/// salt || 8-octet IV. ENCR_CHACHA20_POLY1305 (RFC 7634 §2, §3): a 256-bit key followed by a
/// 4-octet salt, nonce = salt || 8-octet IV, 16-octet tag. The caller supplies the AAD (for the SK
/// payload: the IKE header and the SK payload header, RFC 5282 §5.1).
/// </summary>
internal sealed class AeadCipher : IIkeCipher
{
    private const int SaltSize = 4;
    private const int NonceSize = 12;

    public AeadCipher(EncryptionAlgorithm algorithm, int keyLengthBits)
    {
        Algorithm = algorithm;
        KeyLengthBits = keyLengthBits;
        KeySize = keyLengthBits / 8 + SaltSize;
        IcvSize = algorithm switch
        {
            EncryptionAlgorithm.AesGcm8 => 8,
            EncryptionAlgorithm.AesGcm12 => 12,
            EncryptionAlgorithm.AesGcm16 => 16,
            EncryptionAlgorithm.ChaCha20Poly1305 => 16,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Not a supported AEAD cipher."),
        };
    }

    public EncryptionAlgorithm Algorithm { get; }

    public int KeyLengthBits { get; }

    public int KeySize { get; }

    public int IvSize => 8;

    public int BlockSize => 1;

    public bool IsAead => true;

    public int IcvSize { get; }

    public void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> icv)
    {
        CheckArguments(key, iv, plaintext.Length, ciphertext.Length);
        if (icv.Length < IcvSize)
        {
            throw new ArgumentException($"{Algorithm} writes a {IcvSize}-octet ICV.", nameof(icv));
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        BuildNonce(key, iv, nonce);
        var cipherKey = key[..^SaltSize];
        ciphertext = ciphertext[..plaintext.Length];
        icv = icv[..IcvSize];

        switch (Algorithm)
        {
            case EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16:
                using (var gcm = new AesGcm(cipherKey, IcvSize))
                {
                    gcm.Encrypt(nonce, plaintext, ciphertext, icv, aad);
                }

                break;
            case EncryptionAlgorithm.ChaCha20Poly1305 when NetChaCha20Poly1305.IsSupported:
                using (var chacha = new NetChaCha20Poly1305(cipherKey))
                {
                    chacha.Encrypt(nonce, plaintext, ciphertext, icv, aad);
                }

                break;
            default:
                BouncyCastleEncrypt(cipherKey, nonce, aad, plaintext, ciphertext, icv);
                break;
        }
    }

    public bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> icv, Span<byte> plaintext)
    {
        CheckArguments(key, iv, ciphertext.Length, plaintext.Length);
        if (icv.Length != IcvSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[NonceSize];
        BuildNonce(key, iv, nonce);
        var cipherKey = key[..^SaltSize];
        plaintext = plaintext[..ciphertext.Length];

        try
        {
            switch (Algorithm)
            {
                case EncryptionAlgorithm.AesGcm12 or EncryptionAlgorithm.AesGcm16:
                    using (var gcm = new AesGcm(cipherKey, IcvSize))
                    {
                        gcm.Decrypt(nonce, ciphertext, icv, plaintext, aad);
                    }

                    return true;
                case EncryptionAlgorithm.ChaCha20Poly1305 when NetChaCha20Poly1305.IsSupported:
                    using (var chacha = new NetChaCha20Poly1305(cipherKey))
                    {
                        chacha.Decrypt(nonce, ciphertext, icv, plaintext, aad);
                    }

                    return true;
                default:
                    return BouncyCastleDecrypt(cipherKey, nonce, aad, ciphertext, icv, plaintext);
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    private IAeadCipher CreateBouncyCastle(bool forEncryption, ReadOnlySpan<byte> cipherKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad)
    {
        IAeadCipher cipher = Algorithm == EncryptionAlgorithm.ChaCha20Poly1305
            ? new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305()
            : new GcmBlockCipher(new AesEngine());
        cipher.Init(forEncryption, new AeadParameters(new KeyParameter(cipherKey), IcvSize * 8, nonce.ToArray(), aad.ToArray()));
        return cipher;
    }

    private void BouncyCastleEncrypt(ReadOnlySpan<byte> cipherKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> icv)
    {
        var cipher = CreateBouncyCastle(forEncryption: true, cipherKey, nonce, aad);
        var output = new byte[plaintext.Length + IcvSize];
        int n = cipher.ProcessBytes(plaintext, output);
        cipher.DoFinal(output.AsSpan(n));
        output.AsSpan(0, plaintext.Length).CopyTo(ciphertext);
        output.AsSpan(plaintext.Length, IcvSize).CopyTo(icv);
    }

    private bool BouncyCastleDecrypt(ReadOnlySpan<byte> cipherKey, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> icv, Span<byte> plaintext)
    {
        var cipher = CreateBouncyCastle(forEncryption: false, cipherKey, nonce, aad);
        var input = new byte[ciphertext.Length + IcvSize];
        ciphertext.CopyTo(input);
        icv.CopyTo(input.AsSpan(ciphertext.Length));
        var output = new byte[ciphertext.Length];
        try
        {
            int n = cipher.ProcessBytes(input, output);
            cipher.DoFinal(output.AsSpan(n));
        }
        catch (InvalidCipherTextException)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        output.CopyTo(plaintext);
        CryptographicOperations.ZeroMemory(output);
        return true;
    }

    private void CheckArguments(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, int inputLength, int outputLength)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException($"{Algorithm}-{KeyLengthBits} takes {KeySize} octets of key material (key and salt).", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"{Algorithm} takes an {IvSize}-octet IV.", nameof(iv));
        }

        if (outputLength < inputLength)
        {
            throw new ArgumentException("The output buffer is shorter than the input.");
        }
    }

    private static void BuildNonce(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        key[^SaltSize..].CopyTo(nonce);
        iv.CopyTo(nonce[SaltSize..]);
    }

    public override string ToString() => $"Encryption {Algorithm} {KeyLengthBits}";
}
