using System.Security.Cryptography;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// The IKE SA keys of RFC 7296 §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}.
/// ToString prints lengths only, never key bytes. <see cref="Clear"/> wipes them when the SA goes.
/// </summary>
public sealed class IkeKeys
{
    public IkeKeys(byte[] skD, byte[] skAi, byte[] skAr, byte[] skEi, byte[] skEr, byte[] skPi, byte[] skPr)
    {
        SkD = skD;
        SkAi = skAi;
        SkAr = skAr;
        SkEi = skEi;
        SkEr = skEr;
        SkPi = skPi;
        SkPr = skPr;
    }

    /// <summary>SK_d: the key from which Child SA keys and the next SKEYSEED are derived.</summary>
    public byte[] SkD { get; }

    /// <summary>SK_ai: integrity key for messages from the initiator (empty for AEAD ciphers).</summary>
    public byte[] SkAi { get; }

    /// <summary>SK_ar: integrity key for messages from the responder (empty for AEAD ciphers).</summary>
    public byte[] SkAr { get; }

    /// <summary>SK_ei: encryption key (and salt) for messages from the initiator.</summary>
    public byte[] SkEi { get; }

    /// <summary>SK_er: encryption key (and salt) for messages from the responder.</summary>
    public byte[] SkEr { get; }

    /// <summary>SK_pi: key for the initiator's AUTH payload (RFC 7296 §2.15).</summary>
    public byte[] SkPi { get; }

    /// <summary>SK_pr: key for the responder's AUTH payload (RFC 7296 §2.15).</summary>
    public byte[] SkPr { get; }

    /// <summary>Overwrites every key with zeros.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(SkD);
        CryptographicOperations.ZeroMemory(SkAi);
        CryptographicOperations.ZeroMemory(SkAr);
        CryptographicOperations.ZeroMemory(SkEi);
        CryptographicOperations.ZeroMemory(SkEr);
        CryptographicOperations.ZeroMemory(SkPi);
        CryptographicOperations.ZeroMemory(SkPr);
    }

    public override string ToString() =>
        $"IkeKeys {{ SK_d: {SkD.Length} octets, SK_a: {SkAi.Length} octets, SK_e: {SkEi.Length} octets, SK_p: {SkPi.Length} octets }}";
}
