using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Isthmus.Esp;

/// <summary>
/// The cryptographic transform of one SA: seals and opens the ESP payload with the AAD, nonce and
/// ICV rules of each algorithm. Holds the keyed .NET primitives, created once per SA. Not
/// thread-safe: the owner serialises calls.
/// <code>
///  esp:  | SPI (4) | Seq low (4) | IV | Payload + Padding + PadLen + NextHeader | ICV |
///  GCM, ChaCha20-Poly1305 (RFC 4106 §5, RFC 7634 §2.1): nonce = salt || IV,
///        AAD = SPI || Seq (8) or SPI || Seq high || Seq low (12, ESN)
///  GMAC (RFC 4543 §3.3): AAD = SPI || Seq [|| Seq high] || IV || payload, nothing encrypted
///  CBC/CTR/NULL + HMAC (RFC 4303 §3.3.2.2.1): ICV = HMAC(SPI || Seq || IV || ciphertext [|| Seq high]), truncated
///  CTR (RFC 3686 §4): counter block = nonce || IV || block counter starting at 1
/// </code>
/// </summary>
internal sealed class EspCipher : IDisposable
{
    private const int CtrChunkBlocks = 32;

    private readonly EspEncryptionAlgorithm algorithm;
    private readonly AesGcm? aesGcm;
    private readonly ChaCha20Poly1305? chaCha;
    private readonly Aes? aes;
    private readonly ICryptoTransform? ecbEncryptor;
    private readonly ICryptoTransform? ecbDecryptor;
    private readonly byte[] blockIn = new byte[CtrChunkBlocks * 16];
    private readonly byte[] blockOut = new byte[CtrChunkBlocks * 16];
    private readonly IncrementalHash? hmac;
    private readonly byte[] salt;
    private readonly bool esn;
    private byte[]? gmacScratch;

    public EspCipher(EspSa sa)
    {
        algorithm = sa.Encryption;
        esn = sa.ExtendedSequenceNumbers;
        IvLength = EspAlgorithms.IvLength(algorithm);
        IcvLength = EspAlgorithms.IcvLength(algorithm, sa.Integrity);
        PadBlock = EspAlgorithms.PadBlock(algorithm);
        ReadOnlySpan<byte> keyMaterial = sa.EncryptionKey.Span;
        int keyLength = EspAlgorithms.CipherKeyLength(algorithm);
        ReadOnlySpan<byte> key = keyMaterial[..keyLength];
        salt = keyMaterial[keyLength..].ToArray();
        switch (algorithm)
        {
            case EspEncryptionAlgorithm.AesGcm16_128 or EspEncryptionAlgorithm.AesGcm16_192 or EspEncryptionAlgorithm.AesGcm16_256:
            case EspEncryptionAlgorithm.AesGmac128 or EspEncryptionAlgorithm.AesGmac192 or EspEncryptionAlgorithm.AesGmac256:
                aesGcm = new AesGcm(key, 16);
                break;
            case EspEncryptionAlgorithm.ChaCha20Poly1305:
                chaCha = new ChaCha20Poly1305(key);
                break;
            case EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256:
            case EspEncryptionAlgorithm.AesCtr128 or EspEncryptionAlgorithm.AesCtr192 or EspEncryptionAlgorithm.AesCtr256:
                // The one-shot CBC/ECB calls allocate a native context per call; a cached ECB
                // transform does not, so CBC chaining and the CTR keystream are built on it.
                aes = Aes.Create();
                aes.Mode = CipherMode.ECB;
                aes.Padding = PaddingMode.None;
                byte[] keyCopy = key.ToArray();
                aes.Key = keyCopy;
                CryptographicOperations.ZeroMemory(keyCopy);
                ecbEncryptor = aes.CreateEncryptor();
                ecbDecryptor = aes.CreateDecryptor();
                break;
        }

        HashAlgorithmName? hash = sa.Integrity switch
        {
            EspIntegrityAlgorithm.HmacSha1_96 => HashAlgorithmName.SHA1,
            EspIntegrityAlgorithm.HmacSha2_256_128 => HashAlgorithmName.SHA256,
            EspIntegrityAlgorithm.HmacSha2_384_192 => HashAlgorithmName.SHA384,
            EspIntegrityAlgorithm.HmacSha2_512_256 => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is { } name && !EspAlgorithms.IsAead(algorithm))
        {
            hmac = IncrementalHash.CreateHMAC(name, sa.IntegrityKey.Span);
        }
    }

    public int IvLength { get; }

    public int IcvLength { get; }

    public int PadBlock { get; }

    /// <summary>
    /// Encrypts (in place) and authenticates <c>esp</c>, laid out as SPI, Seq, IV, plaintext payload
    /// with trailer, room for the ICV. <paramref name="sequence"/> is the full sequence number.
    /// </summary>
    public void Seal(Span<byte> esp, ulong sequence)
    {
        int payloadStart = 8 + IvLength;
        int payloadLength = esp.Length - payloadStart - IcvLength;
        Span<byte> header = esp[..8];
        ReadOnlySpan<byte> iv = esp.Slice(8, IvLength);
        Span<byte> payload = esp.Slice(payloadStart, payloadLength);
        Span<byte> icv = esp.Slice(payloadStart + payloadLength, IcvLength);
        uint seqHigh = (uint)(sequence >> 32);
        switch (algorithm)
        {
            case EspEncryptionAlgorithm.AesGcm16_128 or EspEncryptionAlgorithm.AesGcm16_192 or EspEncryptionAlgorithm.AesGcm16_256:
            {
                Span<byte> nonce = stackalloc byte[12];
                Span<byte> aad = stackalloc byte[12];
                BuildNonce(iv, nonce);
                aesGcm!.Encrypt(nonce, payload, payload, icv, BuildAeadAad(header, seqHigh, aad));
                break;
            }

            case EspEncryptionAlgorithm.ChaCha20Poly1305:
            {
                Span<byte> nonce = stackalloc byte[12];
                Span<byte> aad = stackalloc byte[12];
                BuildNonce(iv, nonce);
                chaCha!.Encrypt(nonce, payload, payload, icv, BuildAeadAad(header, seqHigh, aad));
                break;
            }

            case EspEncryptionAlgorithm.AesGmac128 or EspEncryptionAlgorithm.AesGmac192 or EspEncryptionAlgorithm.AesGmac256:
            {
                Span<byte> nonce = stackalloc byte[12];
                BuildNonce(iv, nonce);
                aesGcm!.Encrypt(nonce, [], [], icv, BuildGmacAad(esp[..(payloadStart + payloadLength)], seqHigh));
                break;
            }

            case EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256:
                EncryptCbc(iv, payload);
                ComputeHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv);
                break;

            case EspEncryptionAlgorithm.AesCtr128 or EspEncryptionAlgorithm.AesCtr192 or EspEncryptionAlgorithm.AesCtr256:
                ApplyCtr(iv, payload, payload);
                ComputeHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv);
                break;

            default:
                ComputeHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv);
                break;
        }
    }

    /// <summary>
    /// Verifies the ICV of <paramref name="esp"/> (SPI through ICV) and writes the decrypted payload
    /// (with trailer) to <paramref name="plaintext"/>, which must be exactly the payload length.
    /// Returns false when the ICV does not verify; <paramref name="plaintext"/> is then undefined.
    /// </summary>
    public bool Open(ReadOnlySpan<byte> esp, ulong sequence, Span<byte> plaintext)
    {
        int payloadStart = 8 + IvLength;
        int payloadLength = esp.Length - payloadStart - IcvLength;
        ReadOnlySpan<byte> header = esp[..8];
        ReadOnlySpan<byte> iv = esp.Slice(8, IvLength);
        ReadOnlySpan<byte> payload = esp.Slice(payloadStart, payloadLength);
        ReadOnlySpan<byte> icv = esp.Slice(payloadStart + payloadLength, IcvLength);
        uint seqHigh = (uint)(sequence >> 32);
        switch (algorithm)
        {
            case EspEncryptionAlgorithm.AesGcm16_128 or EspEncryptionAlgorithm.AesGcm16_192 or EspEncryptionAlgorithm.AesGcm16_256:
            {
                Span<byte> nonce = stackalloc byte[12];
                Span<byte> aad = stackalloc byte[12];
                BuildNonce(iv, nonce);
                try
                {
                    aesGcm!.Decrypt(nonce, payload, icv, plaintext, BuildAeadAad(header, seqHigh, aad));
                    return true;
                }
                catch (AuthenticationTagMismatchException)
                {
                    return false;
                }
            }

            case EspEncryptionAlgorithm.ChaCha20Poly1305:
            {
                Span<byte> nonce = stackalloc byte[12];
                Span<byte> aad = stackalloc byte[12];
                BuildNonce(iv, nonce);
                try
                {
                    chaCha!.Decrypt(nonce, payload, icv, plaintext, BuildAeadAad(header, seqHigh, aad));
                    return true;
                }
                catch (AuthenticationTagMismatchException)
                {
                    return false;
                }
            }

            case EspEncryptionAlgorithm.AesGmac128 or EspEncryptionAlgorithm.AesGmac192 or EspEncryptionAlgorithm.AesGmac256:
            {
                Span<byte> nonce = stackalloc byte[12];
                BuildNonce(iv, nonce);
                try
                {
                    aesGcm!.Decrypt(nonce, [], icv, [], BuildGmacAad(esp[..(payloadStart + payloadLength)], seqHigh));
                }
                catch (AuthenticationTagMismatchException)
                {
                    return false;
                }

                payload.CopyTo(plaintext);
                return true;
            }

            case EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256:
                if (!VerifyHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv))
                {
                    return false;
                }

                DecryptCbc(iv, payload, plaintext);
                return true;

            case EspEncryptionAlgorithm.AesCtr128 or EspEncryptionAlgorithm.AesCtr192 or EspEncryptionAlgorithm.AesCtr256:
                if (!VerifyHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv))
                {
                    return false;
                }

                ApplyCtr(iv, payload, plaintext);
                return true;

            default:
                if (!VerifyHmac(esp[..(payloadStart + payloadLength)], seqHigh, icv))
                {
                    return false;
                }

                payload.CopyTo(plaintext);
                return true;
        }
    }

    public void Dispose()
    {
        aesGcm?.Dispose();
        chaCha?.Dispose();
        ecbEncryptor?.Dispose();
        ecbDecryptor?.Dispose();
        aes?.Dispose();
        hmac?.Dispose();
        CryptographicOperations.ZeroMemory(salt);
    }

    private void BuildNonce(ReadOnlySpan<byte> iv, Span<byte> nonce)
    {
        salt.CopyTo(nonce);
        iv.CopyTo(nonce[4..]);
    }

    private ReadOnlySpan<byte> BuildAeadAad(ReadOnlySpan<byte> header, uint seqHigh, Span<byte> aad)
    {
        if (!esn)
        {
            header.CopyTo(aad);
            return aad[..8];
        }

        header[..4].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[4..], seqHigh);
        header[4..8].CopyTo(aad[8..]);
        return aad;
    }

    private ReadOnlySpan<byte> BuildGmacAad(ReadOnlySpan<byte> authenticated, uint seqHigh)
    {
        if (!esn)
        {
            return authenticated;
        }

        // RFC 4543 §3.3 with ESN: SPI || Seq high || Seq low || IV || payload, contiguous for AES-GCM.
        gmacScratch ??= new byte[65536 + 8];
        Span<byte> aad = gmacScratch.AsSpan(0, authenticated.Length + 4);
        authenticated[..4].CopyTo(aad);
        BinaryPrimitives.WriteUInt32BigEndian(aad[4..], seqHigh);
        authenticated[4..].CopyTo(aad[8..]);
        return aad;
    }

    private void ComputeHmac(ReadOnlySpan<byte> authenticated, uint seqHigh, Span<byte> icv)
    {
        if (hmac is null)
        {
            return;
        }

        Span<byte> digest = stackalloc byte[64];
        hmac.AppendData(authenticated);
        if (esn)
        {
            // RFC 4303 §2.2.1: the high-order bits are appended for the ICV computation only.
            Span<byte> high = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(high, seqHigh);
            hmac.AppendData(high);
        }

        int length = hmac.GetHashAndReset(digest);
        digest[..icv.Length].CopyTo(icv);
        CryptographicOperations.ZeroMemory(digest[..length]);
    }

    private bool VerifyHmac(ReadOnlySpan<byte> authenticated, uint seqHigh, ReadOnlySpan<byte> icv)
    {
        if (hmac is null)
        {
            return true;
        }

        Span<byte> expected = stackalloc byte[32];
        ComputeHmac(authenticated, seqHigh, expected[..icv.Length]);
        return CryptographicOperations.FixedTimeEquals(expected[..icv.Length], icv);
    }

    private void ApplyCtr(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        uint blockCounter = 1;
        int offset = 0;
        while (offset < input.Length)
        {
            int chunk = Math.Min(input.Length - offset, blockIn.Length);
            int blocksInChunk = (chunk + 15) / 16;
            for (int b = 0; b < blocksInChunk; b++)
            {
                Span<byte> block = blockIn.AsSpan(b * 16, 16);
                salt.CopyTo(block);
                iv.CopyTo(block[4..]);
                BinaryPrimitives.WriteUInt32BigEndian(block[12..], blockCounter++);
            }

            ecbEncryptor!.TransformBlock(blockIn, 0, blocksInChunk * 16, blockOut, 0);
            for (int i = 0; i < chunk; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ blockOut[i]);
            }

            offset += chunk;
        }
    }

    /// <summary>RFC 3602 CBC encryption in place: C[i] = E(P[i] xor C[i-1]), C[0] chained from the IV.</summary>
    private void EncryptCbc(ReadOnlySpan<byte> iv, Span<byte> payload)
    {
        ReadOnlySpan<byte> previous = iv;
        for (int offset = 0; offset < payload.Length; offset += 16)
        {
            Span<byte> block = payload.Slice(offset, 16);
            for (int i = 0; i < 16; i++)
            {
                blockIn[i] = (byte)(block[i] ^ previous[i]);
            }

            ecbEncryptor!.TransformBlock(blockIn, 0, 16, blockOut, 0);
            blockOut.AsSpan(0, 16).CopyTo(block);
            previous = block;
        }
    }

    /// <summary>RFC 3602 CBC decryption: P[i] = D(C[i]) xor C[i-1], in chunks through the cached ECB transform.</summary>
    private void DecryptCbc(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        for (int offset = 0; offset < ciphertext.Length; offset += blockIn.Length)
        {
            int chunk = Math.Min(ciphertext.Length - offset, blockIn.Length);
            ciphertext.Slice(offset, chunk).CopyTo(blockIn);
            ecbDecryptor!.TransformBlock(blockIn, 0, chunk, blockOut, 0);
            for (int i = 0; i < chunk; i++)
            {
                int position = offset + i;
                byte chain = position < 16 ? iv[position] : ciphertext[position - 16];
                plaintext[position] = (byte)(blockOut[i] ^ chain);
            }
        }
    }
}
