using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;

namespace Isthmus.Ike.Sa;

/// <summary>
/// Stateless responder cookies (RFC 7296 §2.6):
/// <code>Cookie = &lt;VersionIDofSecret&gt; | Hash(Ni | IPi | SPIi | &lt;secret&gt;)</code>
/// The secret rotates; a cookie made with the previous secret is still accepted, so a rotation
/// never fails an initiator in the middle of its retry. Secrets come from the injected <see cref="IRandomSource"/>.
/// </summary>
public sealed class CookieGenerator(TimeProvider time, IRandomSource random)
{
    private static readonly TimeSpan Rotation = TimeSpan.FromMinutes(5);
    private byte[] _secret = random.GetBytes(32);
    private byte[] _previous = random.GetBytes(32);
    private uint _version;
    private DateTimeOffset _rotatedAt = time.GetUtcNow();

    public byte[] Create(ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI)
    {
        RotateIfDue();
        return Compute(_version, _secret, ni, initiator, spiI);
    }

    public bool Verify(ReadOnlySpan<byte> cookie, ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI)
    {
        RotateIfDue();
        if (cookie.Length != 4 + 32) return false;
        var version = BinaryPrimitives.ReadUInt32BigEndian(cookie);
        var secret = version == _version ? _secret : version == _version - 1 ? _previous : null;
        return secret is not null && CryptographicOperations.FixedTimeEquals(cookie, Compute(version, secret, ni, initiator, spiI));
    }

    private void RotateIfDue()
    {
        var now = time.GetUtcNow();
        if (now - _rotatedAt < Rotation) return;
        _previous = _secret;
        _secret = random.GetBytes(32);
        _version++;
        _rotatedAt = now;
    }

    private static byte[] Compute(uint version, byte[] secret, ReadOnlySpan<byte> ni, IPAddress initiator, ulong spiI)
    {
        var ip = initiator.GetAddressBytes();
        var input = new byte[ni.Length + ip.Length + 8 + secret.Length];
        ni.CopyTo(input);
        ip.CopyTo(input, ni.Length);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(ni.Length + ip.Length), spiI);
        secret.CopyTo(input, ni.Length + ip.Length + 8);
        var cookie = new byte[4 + 32];
        BinaryPrimitives.WriteUInt32BigEndian(cookie, version);
        SHA256.HashData(input, cookie.AsSpan(4));
        return cookie;
    }
}
