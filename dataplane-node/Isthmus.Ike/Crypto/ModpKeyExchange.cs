using System.Security.Cryptography;
using Isthmus.Ike.Protocol;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Isthmus.Ike.Crypto;

/// <summary>
/// Finite-field Diffie-Hellman over the MODP groups of RFC 2409 §6 (groups 1, 2) and RFC 3526
/// (groups 5, 14-18), generator 2. Public values and g^ir are big-endian and left-padded with zeros
/// to the length of the prime (RFC 7296 §3.4, §2.14). A peer's value must satisfy 1 &lt; y &lt; p-1
/// (RFC 6989 §2.1); for these safe primes that range check is the whole of the RFC 6989 test.
/// </summary>
internal sealed class ModpKeyExchange : IKeyExchange
{
    private readonly DHParameters parameters;
    private readonly int length;
    private BigInteger? privateValue;

    private ModpKeyExchange(DhGroup group, DHParameters parameters, BigInteger privateValue)
    {
        Group = group;
        this.parameters = parameters;
        this.privateValue = privateValue;
        length = (parameters.P.BitLength + 7) / 8;
        PublicKey = ToFixedLength(parameters.G.ModPow(privateValue, parameters.P), length);
    }

    public DhGroup Group { get; }

    public byte[] PublicKey { get; }

    /// <summary>The prime of a group (for tests and diagnostics); null when the group is not MODP.</summary>
    internal static BigInteger? PrimeOf(DhGroup group) => ParametersOf(group)?.P;

    internal static int LengthOf(DhGroup group) => ParametersOf(group) is { } p ? (p.P.BitLength + 7) / 8 : 0;

    public static ModpKeyExchange? TryCreate(DhGroup group, IRandomSource random)
    {
        if (ParametersOf(group) is not { } parameters)
        {
            return null;
        }

        // Private exponent length from RFC 3526 §8 (the upper end of each range), at least 256 bits.
        int exponentBits = group switch
        {
            DhGroup.Modp2048 => 320,
            DhGroup.Modp3072 => 420,
            DhGroup.Modp4096 => 480,
            DhGroup.Modp6144 => 540,
            DhGroup.Modp8192 => 620,
            _ => 256,
        };
        // A uniform exponent of exponentBits bits, drawn again while its top octet is zero.
        var octets = new byte[(exponentBits + 7) / 8];
        BigInteger x;
        do
        {
            random.Fill(octets);
            octets[0] &= (byte)(0xFF >> (8 * octets.Length - exponentBits));
            x = new BigInteger(1, octets);
        }
        while (x.BitLength < exponentBits - 8);
        CryptographicOperations.ZeroMemory(octets);

        return new ModpKeyExchange(group, parameters, x);
    }

    /// <summary>Test hook: a key exchange with a chosen private exponent.</summary>
    internal static ModpKeyExchange CreateWithPrivateValue(DhGroup group, ReadOnlySpan<byte> privateValue)
    {
        var parameters = ParametersOf(group) ?? throw new ArgumentOutOfRangeException(nameof(group), group, "Not a MODP group.");
        return new ModpKeyExchange(group, parameters, new BigInteger(1, privateValue.ToArray()));
    }

    public bool TryComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, out byte[] sharedSecret, out KeyExchangeError error)
    {
        sharedSecret = [];
        var x = privateValue ?? throw new ObjectDisposedException(nameof(ModpKeyExchange));
        if (peerPublicKey.Length != length)
        {
            error = KeyExchangeError.WrongLength;
            return false;
        }

        var y = new BigInteger(1, peerPublicKey.ToArray());
        var p = parameters.P;
        if (y.CompareTo(BigInteger.One) <= 0 || y.CompareTo(p.Subtract(BigInteger.One)) >= 0)
        {
            error = KeyExchangeError.OutOfRange;
            return false;
        }

        var z = y.ModPow(x, p);
        if (z.CompareTo(BigInteger.One) <= 0)
        {
            error = KeyExchangeError.DegenerateSecret;
            return false;
        }

        sharedSecret = ToFixedLength(z, length);
        error = KeyExchangeError.None;
        return true;
    }

    public void Dispose() => privateValue = null;

    public override string ToString() => $"KE {Group}";

    private static DHParameters? ParametersOf(DhGroup group) => group switch
    {
        DhGroup.Modp768 => DHStandardGroups.rfc2409_768,
        DhGroup.Modp1024 => DHStandardGroups.rfc2409_1024,
        DhGroup.Modp1536 => DHStandardGroups.rfc3526_1536,
        DhGroup.Modp2048 => DHStandardGroups.rfc3526_2048,
        DhGroup.Modp3072 => DHStandardGroups.rfc3526_3072,
        DhGroup.Modp4096 => DHStandardGroups.rfc3526_4096,
        DhGroup.Modp6144 => DHStandardGroups.rfc3526_6144,
        DhGroup.Modp8192 => DHStandardGroups.rfc3526_8192,
        _ => null,
    };

    private static byte[] ToFixedLength(BigInteger value, int length)
    {
        var result = new byte[length];
        var unsigned = value.ToByteArrayUnsigned();
        unsigned.CopyTo(result, length - unsigned.Length);
        CryptographicOperations.ZeroMemory(unsigned);
        return result;
    }
}
