using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>Why a peer's key exchange value was refused (RFC 6989 checks).</summary>
public enum KeyExchangeError
{
    None = 0,
    /// <summary>Not the exact length the group prescribes (RFC 7296 §3.4).</summary>
    WrongLength,
    /// <summary>MODP value outside 1 &lt; y &lt; p-1 (RFC 6989 §2.1).</summary>
    OutOfRange,
    /// <summary>ECP point not on the curve, or the point at infinity (RFC 6989 §2.3).</summary>
    NotOnCurve,
    /// <summary>The agreement produced an all-zero or otherwise degenerate secret (RFC 7748 §6).</summary>
    DegenerateSecret,
}

/// <summary>One ephemeral Diffie-Hellman / ECDH key pair for one exchange (RFC 7296 §3.4).</summary>
public interface IKeyExchange : IDisposable
{
    DhGroup Group { get; }

    /// <summary>Our public value in the wire encoding of RFC 7296 §3.4 / RFC 5903 §7 / RFC 8031.</summary>
    byte[] PublicKey { get; }

    /// <summary>Validates the peer's value (RFC 6989) and computes g^ir; returns false with a reason, never throws for bad input.</summary>
    bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, out byte[] sharedSecret, out KeyExchangeError error);
}
