using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// An encryption transform as used by the SK payload (RFC 7296 §3.14; AEAD per RFC 5282 and
/// RFC 7634). For combined-mode ciphers the key material includes the salt (4 octets for
/// AES-GCM, AES-CTR (RFC 5930) and ChaCha20-Poly1305), so <see cref="KeySize"/> is what prf+
/// must produce for SK_ei/SK_er.
/// </summary>
public interface IIkeCipher
{
    EncryptionAlgorithm Algorithm { get; }

    /// <summary>Key length in bits of the negotiated Key Length attribute (e.g. 128, 256); the salt is not included.</summary>
    int KeyLengthBits { get; }

    /// <summary>Octets of keying material to take from prf+ (key plus salt where the mode has one).</summary>
    int KeySize { get; }

    /// <summary>Length of the explicit IV carried in the SK payload.</summary>
    int IvSize { get; }

    /// <summary>Block size the plaintext (payloads, padding, pad length) must be a multiple of; 1 for stream modes.</summary>
    int BlockSize { get; }

    /// <summary>True for combined-mode (AEAD) ciphers: no separate integrity transform is negotiated.</summary>
    bool IsAead { get; }

    /// <summary>ICV length in octets for AEAD ciphers; 0 otherwise.</summary>
    int IcvSize { get; }

    /// <summary>Encrypts; <paramref name="ciphertext"/> has the plaintext's length. <paramref name="aad"/> and <paramref name="icv"/> are used by AEAD ciphers only.</summary>
    void Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> icv);

    /// <summary>Decrypts; returns false when an AEAD tag does not verify (nothing is written then). Non-AEAD ciphers always return true.</summary>
    bool Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> icv, Span<byte> plaintext);
}
