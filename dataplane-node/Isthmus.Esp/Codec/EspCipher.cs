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
                aes = Aes.Create();
                aes.SetKey(key);
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
                aes!.EncryptCbc(payload, iv, payload, PaddingMode.None);
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

                aes!.DecryptCbc(payload, iv, plaintext, PaddingMode.None);
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
        Span<byte> counters = stackalloc byte[CtrChunkBlocks * 16];
        Span<byte> keystream = stackalloc byte[CtrChunkBlocks * 16];
        uint blockCounter = 1;
        int offset = 0;
        while (offset < input.Length)
        {
            int chunk = Math.Min(input.Length - offset, counters.Length);
            int blocksInChunk = (chunk + 15) / 16;
            for (int b = 0; b < blocksInChunk; b++)
            {
                Span<byte> block = counters.Slice(b * 16, 16);
                salt.CopyTo(block);
                iv.CopyTo(block[4..]);
                BinaryPrimitives.WriteUInt32BigEndian(block[12..], blockCounter++);
            }

            aes!.EncryptEcb(counters[..(blocksInChunk * 16)], keystream, PaddingMode.None);
            for (int i = 0; i < chunk; i++)
            {
                output[offset + i] = (byte)(input[offset + i] ^ keystream[i]);
            }

            offset += chunk;
        }
    }
}
