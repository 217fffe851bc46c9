using System.Security.Cryptography;
using Isthmus.Ike.Protocol;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Curve25519 and Curve448 key exchange for IKEv2 (RFC 8031): the KE payload carries the 32- or
/// 56-octet u-coordinate of RFC 7748 §5, and g^ir is the X25519/X448 output. An all-zero output
/// (the peer sent a low-order point) is refused (RFC 7748 §6.1, RFC 8031 §2.3).
/// </summary>
internal sealed class MontgomeryKeyExchange : IKeyExchange
{
    private readonly int size;
    private byte[]? privateKey;

    private MontgomeryKeyExchange(DhGroup group, byte[] privateKey)
    {
        Group = group;
        size = SizeOf(group);
        this.privateKey = privateKey;
        PublicKey = new byte[size];
        if (group == DhGroup.Curve25519)
        {
            X25519.ScalarMultBase(privateKey, 0, PublicKey, 0);
        }
        else
        {
            X448.ScalarMultBase(privateKey, 0, PublicKey, 0);
        }
    }

    public DhGroup Group { get; }

    public byte[] PublicKey { get; }

    internal static int SizeOf(DhGroup group) => group switch
    {
        DhGroup.Curve25519 => X25519.PointSize,
        DhGroup.Curve448 => X448.PointSize,
        _ => 0,
    };

    public static MontgomeryKeyExchange? TryCreate(DhGroup group, IRandomSource random)
    {
        int size = SizeOf(group);
        return size == 0 ? null : new MontgomeryKeyExchange(group, random.GetBytes(size));
    }

    /// <summary>Test hook: a key exchange with a chosen scalar (RFC 7748 §5 little-endian encoding).</summary>
    internal static MontgomeryKeyExchange CreateWithPrivateKey(DhGroup group, ReadOnlySpan<byte> privateKey)
    {
        if (SizeOf(group) == 0 || privateKey.Length != SizeOf(group))
        {
            throw new ArgumentException("Not a Curve25519/Curve448 scalar of the right length.", nameof(privateKey));
        }

        return new MontgomeryKeyExchange(group, privateKey.ToArray());
    }

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, out byte[] sharedSecret, out KeyExchangeError error)
    {
        sharedSecret = [];
        var k = privateKey ?? throw new ObjectDisposedException(nameof(MontgomeryKeyExchange));
        if (peerPublicKey.Length != size)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var u = peerPublicKey.ToArray();
        var result = new byte[size];
        bool nonZero = Group == DhGroup.Curve25519
            ? X25519.CalculateAgreement(k, 0, u, 0, result, 0)
            : X448.CalculateAgreement(k, 0, u, 0, result, 0);
        if (!nonZero)
        {
            error = KeyExchangeError.DegenerateSecret;
            return false;
        }

        sharedSecret = result;
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        if (privateKey is not null)
        {
            CryptographicOperations.ZeroMemory(privateKey);
            privateKey = null;
        }
    }

    public override string ToString() => $"KE {Group}";
}
