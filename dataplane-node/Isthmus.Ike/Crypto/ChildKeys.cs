using System.Security.Cryptography;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Child SA keying material (RFC 7296 §2.17), split in the order the RFC gives: encryption then
/// integrity key for initiator-to-responder traffic (I), then the same for responder-to-initiator
/// traffic (R). ToString prints lengths only, never key bytes.
/// </summary>
public sealed class ChildKeys
{
    public ChildKeys(byte[] encrI, byte[] integI, byte[] encrR, byte[] integR)
    {
        EncrI = encrI;
        IntegI = integI;
        EncrR = encrR;
        IntegR = integR;
    }

    /// <summary>Encryption key (and salt/nonce where the mode has one) for initiator-to-responder traffic.</summary>
    public byte[] EncrI { get; }

    /// <summary>Integrity key for initiator-to-responder traffic (empty for AEAD).</summary>
    public byte[] IntegI { get; }

    /// <summary>Encryption key (and salt/nonce where the mode has one) for responder-to-initiator traffic.</summary>
    public byte[] EncrR { get; }

    /// <summary>Integrity key for responder-to-initiator traffic (empty for AEAD).</summary>
    public byte[] IntegR { get; }

    /// <summary>Overwrites every key with zeros.</summary>
    public void Clear()
    {
        CryptographicOperations.ZeroMemory(EncrI);
        CryptographicOperations.ZeroMemory(IntegI);
        CryptographicOperations.ZeroMemory(EncrR);
        CryptographicOperations.ZeroMemory(IntegR);
    }

    public override string ToString() =>
        $"ChildKeys {{ encr: {EncrI.Length} octets, integ: {IntegI.Length} octets }}";
}
