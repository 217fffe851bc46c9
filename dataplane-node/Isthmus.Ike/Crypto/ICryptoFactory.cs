using System.Diagnostics.CodeAnalysis;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Creates the transform implementations for negotiated IANA transform IDs. The IKE core gets one
/// through its constructors and never reaches a global registry, so a test can count, refuse or
/// pin what it creates. Each Try method returns false for an algorithm or key length it does not
/// implement, so proposal selection skips that transform instead of failing.
/// <see cref="CryptoRegistry"/> is the implementation Isthmus runs with.
/// </summary>
public interface ICryptoFactory
{
    /// <summary>A PRF (RFC 7296 §3.3.2, Transform Type 2).</summary>
    bool TryCreatePrf(PrfAlgorithm algorithm, [NotNullWhen(true)] out IPrf? prf);

    /// <summary>An integrity transform (Transform Type 3).</summary>
    bool TryCreateIntegrity(IntegrityAlgorithm algorithm, [NotNullWhen(true)] out IIntegrity? integrity);

    /// <summary>An SK cipher for a transform ID and its Key Length attribute in bits (0 when the transform carried none).</summary>
    bool TryCreateCipher(EncryptionAlgorithm algorithm, int keyLengthBits, [NotNullWhen(true)] out IIkeCipher? cipher);

    /// <summary>A fresh ephemeral key pair for a key exchange method (RFC 7296 §3.4, Transform Type 4).</summary>
    bool TryCreateKeyExchange(DhGroup group, [NotNullWhen(true)] out IKeyExchange? keyExchange);

    /// <summary>Whether <see cref="TryCreateKeyExchange"/> would succeed, without generating a key pair.</summary>
    bool IsSupported(DhGroup group);
}
