using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// Builds and opens the Encrypted and Authenticated payload SK (RFC 7296 §3.14; AEAD per
/// RFC 5282 §5 and RFC 7634). One instance per IKE SA holds the cipher, the integrity transform
/// and the four keys; a send uses the keys of our role, a receive those of the peer.
/// <code>
///  IKE header | SK generic header | IV | Encrypted(Payloads | Padding | Pad Length) | ICV
/// </code>
/// For AEAD ciphers the associated data is everything before the IV; otherwise the ICV covers
/// everything before it, from the first octet of the IKE header. IVs come from the injected
/// <see cref="IRandomSource"/>.
/// </summary>
public sealed class EncryptedPayloadProtector
{
    private readonly IIkeCipher _cipher;
    private readonly IIntegrity? _integrity;
    private readonly byte[] _sendEncKey, _sendIntegKey, _recvEncKey, _recvIntegKey;
    private ulong _ivCounter;
    private readonly ulong _ivSeed;
    private readonly IRandomSource _random;

    public EncryptedPayloadProtector(IIkeCipher cipher, IIntegrity? integrity, IkeKeys keys, bool isInitiator, IRandomSource random)
    {
        _random = random;
        _cipher = cipher;
        _integrity = cipher.IsAead ? null : integrity ?? throw new ArgumentException("a non-AEAD cipher needs an integrity transform", nameof(integrity));
        _sendEncKey = isInitiator ? keys.SkEi : keys.SkEr;
        _recvEncKey = isInitiator ? keys.SkEr : keys.SkEi;
        _sendIntegKey = isInitiator ? keys.SkAi : keys.SkAr;
        _recvIntegKey = isInitiator ? keys.SkAr : keys.SkAi;
        _ivSeed = BinaryPrimitives.ReadUInt64BigEndian(random.GetBytes(8));
    }

    private int IcvSize => _cipher.IsAead ? _cipher.IcvSize : _integrity!.IcvSize;

    /// <summary>Serialises <paramref name="header"/> and the inner payloads into a protected message.</summary>
    public byte[] Protect(IkeHeader header, IReadOnlyList<Payload> inner)
    {
        var innerLength = PayloadChain.GetLength(inner);
        var block = Math.Max(1, _cipher.BlockSize);
        var padLength = (block - (innerLength + 1) % block) % block;
        var plainLength = innerLength + padLength + 1;
        var skLength = 4 + _cipher.IvSize + plainLength + IcvSize;
        var total = IkeHeader.Size + skLength;

        var message = new byte[total];
        (header with { NextPayload = PayloadType.Encrypted, Length = (uint)total }).Write(message);
        var sk = message.AsSpan(IkeHeader.Size);
        sk[0] = (byte)PayloadChain.FirstType(inner);
        sk[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(sk[2..], (ushort)skLength);

        var iv = sk.Slice(4, _cipher.IvSize);
        NextIv(iv);
        var plain = new byte[plainLength];
        PayloadChain.Write(inner, plain);
        // RFC 7296 §3.14: padding may be any value; the final octet is the pad length.
        plain[^1] = (byte)padLength;

        var cipherText = sk.Slice(4 + _cipher.IvSize, plainLength);
        var icv = sk.Slice(4 + _cipher.IvSize + plainLength, IcvSize);
        var aad = message.AsSpan(0, IkeHeader.Size + 4);
        if (_cipher.IsAead)
        {
            _cipher.Encrypt(_sendEncKey, iv, aad, plain, cipherText, icv);
        }
        else
        {
            _cipher.Encrypt(_sendEncKey, iv, default, plain, cipherText, default);
            _integrity!.Compute(_sendIntegKey, message.AsSpan(0, total - IcvSize), icv);
        }
        CryptographicOperations.ZeroMemory(plain);
        return message;
    }

    /// <summary>
    /// Verifies and decrypts the SK payload, which must be the last payload of <paramref name="datagram"/>
    /// and have the given body. Returns the plaintext inner payload chain (without padding), or
    /// null when the ICV fails or the padding is inconsistent: such a message is dropped silently
    /// (RFC 7296 §2.21.2).
    /// </summary>
    public byte[]? Unprotect(ReadOnlySpan<byte> datagram, EncryptedPayload sk, out string? failure)
    {
        failure = null;
        var body = sk.Body;
        var ivSize = _cipher.IvSize;
        var icvSize = IcvSize;
        var cipherLength = body.Length - ivSize - icvSize;
        var block = Math.Max(1, _cipher.BlockSize);
        if (cipherLength < 1 || cipherLength % block != 0)
        {
            failure = "SK payload length does not fit the cipher";
            return null;
        }
        var skStart = datagram.Length - body.Length - 4;
        if (skStart < IkeHeader.Size)
        {
            failure = "SK payload is not the last payload";
            return null;
        }
        var iv = body.AsSpan(0, ivSize);
        var cipherText = body.AsSpan(ivSize, cipherLength);
        var icv = body.AsSpan(ivSize + cipherLength, icvSize);
        var plain = new byte[cipherLength];

        if (_cipher.IsAead)
        {
            var aad = datagram[..(skStart + 4)];
            if (!_cipher.Decrypt(_recvEncKey, iv, aad, cipherText, icv, plain))
            {
                failure = "integrity check failed";
                return null;
            }
        }
        else
        {
            if (!_integrity!.Verify(_recvIntegKey, datagram[..(datagram.Length - icvSize)], icv))
            {
                failure = "integrity check failed";
                return null;
            }
            _cipher.Decrypt(_recvEncKey, iv, default, cipherText, default, plain);
        }

        var padLength = plain[^1];
        if (padLength + 1 > plain.Length)
        {
            failure = "pad length exceeds the decrypted payload";
            return null;
        }
        return plain.AsSpan(0, plain.Length - padLength - 1).ToArray();
    }

    private void NextIv(Span<byte> iv)
    {
        if (_cipher.BlockSize > 1 && !_cipher.IsAead && _cipher.Algorithm != EncryptionAlgorithm.AesCtr)
        {
            // CBC: the IV must be unpredictable (RFC 7296 §3.14).
            _random.Fill(iv);
            return;
        }
        // Counter modes: the IV must never repeat under one key (RFC 5282 §3.1, RFC 5930 §3).
        iv.Clear();
        var value = _ivSeed + ++_ivCounter;
        if (iv.Length >= 8) BinaryPrimitives.WriteUInt64BigEndian(iv[^8..], value);
        else _random.Fill(iv);
    }
}
