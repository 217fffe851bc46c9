using System.Security.Cryptography;
using Isthmus.Ike.Protocol;
using Org.BouncyCastle.Asn1.X9;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// ECDH over the NIST prime curves P-256, P-384 and P-521 (RFC 5903). The KE payload carries
/// x || y, each coordinate left-padded to the field size (RFC 5903 §7); g^ir is the x coordinate
/// of the shared point only. A peer's point is checked before use (RFC 6989 §2.3): both
/// coordinates below p and y^2 = x^3 - 3x + b (mod p), which also rules out any encoding of the
/// point at infinity.
/// </summary>
internal sealed class EcpKeyExchange : IKeyExchange
{
    private readonly ECCurve curve;
    private readonly X9ECParameters domain;
    private readonly int coordinateSize;
    private ECDiffieHellman? key;

    private EcpKeyExchange(DhGroup group, ECCurve curve, X9ECParameters domain, ECDiffieHellman key)
    {
        Group = group;
        this.curve = curve;
        this.domain = domain;
        this.key = key;
        coordinateSize = CoordinateSizeOf(group);
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        PublicKey = new byte[2 * coordinateSize];
        q.X!.CopyTo(PublicKey, coordinateSize - q.X!.Length);
        q.Y!.CopyTo(PublicKey, 2 * coordinateSize - q.Y!.Length);
    }

    public DhGroup Group { get; }

    public byte[] PublicKey { get; }

    internal static int CoordinateSizeOf(DhGroup group) => group switch
    {
        DhGroup.Ecp256 => 32,
        DhGroup.Ecp384 => 48,
        DhGroup.Ecp521 => 66,
        _ => 0,
    };

    public static EcpKeyExchange? TryCreate(DhGroup group)
    {
        if (!TryGetCurve(group, out var curve, out var domain))
        {
            return null;
        }

        return new EcpKeyExchange(group, curve, domain, ECDiffieHellman.Create(curve));
    }

    /// <summary>Test hook: a key exchange with a chosen private scalar (big-endian, field size).</summary>
    internal static EcpKeyExchange CreateWithPrivateKey(DhGroup group, ReadOnlySpan<byte> privateKey)
    {
        if (!TryGetCurve(group, out var curve, out var domain))
        {
            throw new ArgumentOutOfRangeException(nameof(group), group, "Not an ECP group.");
        }

        int size = CoordinateSizeOf(group);
        var d = new BigInteger(1, privateKey.ToArray());
        var q = domain.G.Multiply(d).Normalize();
        var parameters = new ECParameters
        {
            Curve = curve,
            D = FixedLength(d, size),
            Q = new ECPoint
            {
                X = FixedLength(q.AffineXCoord.ToBigInteger(), size),
                Y = FixedLength(q.AffineYCoord.ToBigInteger(), size),
            },
        };
        var key = ECDiffieHellman.Create(parameters);
        CryptographicOperations.ZeroMemory(parameters.D);
        return new EcpKeyExchange(group, curve, domain, key);
    }

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, out byte[] sharedSecret, out KeyExchangeError error)
    {
        sharedSecret = [];
        var ours = key ?? throw new ObjectDisposedException(nameof(EcpKeyExchange));
        if (peerPublicKey.Length != 2 * coordinateSize)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var xBytes = peerPublicKey[..coordinateSize].ToArray();
        var yBytes = peerPublicKey[coordinateSize..].ToArray();
        if (!IsOnCurve(new BigInteger(1, xBytes), new BigInteger(1, yBytes)))
        {
            error = KeyExchangeError.NotOnCurve;
            return false;
        }

        try
        {
            using var peer = ECDiffieHellman.Create(new ECParameters
            {
                Curve = curve,
                Q = new ECPoint { X = xBytes, Y = yBytes },
            });
            sharedSecret = ours.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException)
        {
            // The platform refused a point that passed our own check; treat it as invalid.
            error = KeyExchangeError.NotOnCurve;
            return false;
        }

        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose()
    {
        key?.Dispose();
        key = null;
    }

    public override string ToString() => $"KE {Group}";

    /// <summary>RFC 6989 §2.3 / SP 800-56A partial validation: 0 &lt;= x, y &lt; p and on the curve.</summary>
    private bool IsOnCurve(BigInteger x, BigInteger y)
    {
        var p = domain.Curve.Field.Characteristic;
        if (x.CompareTo(p) >= 0 || y.CompareTo(p) >= 0)
        {
            return false;
        }

        var a = domain.Curve.A.ToBigInteger();
        var b = domain.Curve.B.ToBigInteger();
        var left = y.Multiply(y).Mod(p);
        var right = x.Multiply(x).Multiply(x).Add(a.Multiply(x)).Add(b).Mod(p);
        return left.Equals(right);
    }

    private static bool TryGetCurve(DhGroup group, out ECCurve curve, out X9ECParameters domain)
    {
        (curve, var name) = group switch
        {
            DhGroup.Ecp256 => (ECCurve.NamedCurves.nistP256, "P-256"),
            DhGroup.Ecp384 => (ECCurve.NamedCurves.nistP384, "P-384"),
            DhGroup.Ecp521 => (ECCurve.NamedCurves.nistP521, "P-521"),
            _ => (default(ECCurve), null),
        };
        domain = name is null ? null! : ECNamedCurveTable.GetByName(name);
        return name is not null;
    }

    private static byte[] FixedLength(BigInteger value, int length)
    {
        var result = new byte[length];
        var unsigned = value.ToByteArrayUnsigned();
        unsigned.CopyTo(result, length - unsigned.Length);
        return result;
    }
}
