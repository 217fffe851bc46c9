using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// ENCR_AES_CTR in the SK payload (RFC 5930, counter block as in RFC 3686 §4): the keying material
/// is the AES key followed by a 4-octet nonce; each message carries an 8-octet IV; the counter block
/// is nonce || IV || 32-bit block counter starting at 1. A stream mode: no block alignment.
/// </summary>
internal sealed class AesCtrCipher : IIkeCipher
{
    private const int NonceSize = 4;
    private const int AesBlock = 16;

    public AesCtrCipher(int keyLengthBits)
    {
        KeyLengthBits = keyLengthBits;
        KeySize = keyLengthBits / 8 + NonceSize;
    }

    public EncryptionAlgorithm Algorithm => EncryptionAlgorithm.AesCtr;

    public int KeyLengthBits { get; }

    public int KeySize { get; }

    public int IvSize => 8;

    public int BlockSize => 1;

    public bool IsAead => false;

    public int IcvSize => 0;

    public void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> icv)
        => Apply(key, iv, plaintext, ciphertext);

    public bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> icv, Span<byte> plaintext)
    {
        Apply(key, iv, ciphertext, plaintext);
        return true;
    }

    private void Apply(ReadOnlySpan<byte> keyMaterial, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (keyMaterial.Length != KeySize)
        {
            throw new ArgumentException($"AES-CTR-{KeyLengthBits} takes {KeySize} octets of key material.", nameof(keyMaterial));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException($"AES-CTR takes a {IvSize}-octet IV.", nameof(iv));
        }

        if (output.Length < input.Length)
        {
            throw new ArgumentException("The output buffer is shorter than the input.", nameof(output));
        }

        // 2^32 - 1 blocks at most per IV (RFC 3686 §2.1); an IKE message is far below that.
        if ((long)input.Length > (long)uint.MaxValue * AesBlock)
        {
            throw new ArgumentException("AES-CTR input exceeds the 32-bit block counter.", nameof(input));
        }

        using var aes = Aes.Create();
        aes.SetKey(keyMaterial[..^NonceSize]);

        Span<byte> counterBlock = stackalloc byte[AesBlock];
        Span<byte> keyStream = stackalloc byte[AesBlock];
        keyMaterial[^NonceSize..].CopyTo(counterBlock);
        iv.CopyTo(counterBlock[NonceSize..]);
        uint counter = 1;
        for (int offset = 0; offset < input.Length; offset += AesBlock)
        {
            BinaryPrimitives.WriteUInt32BigEndian(counterBlock[12..], counter++);
            aes.EncryptEcb(counterBlock, keyStream, PaddingMode.None);
            int n = Math.Min(AesBlock, input.Length - offset);
            for (int i = 0; i < n; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ keyStream[i]);
            }
        }

        CryptographicOperations.ZeroMemory(keyStream);
    }

    public override string ToString() => $"Encryption {Algorithm} {KeyLengthBits}";
}
