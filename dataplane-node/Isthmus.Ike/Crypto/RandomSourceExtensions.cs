using System.Buffers.Binary;

namespace Isthmus.Ike.Crypto;

/// <summary>The values the IKE core draws from an <see cref="IRandomSource"/>, with the RFC's rules for each.</summary>
public static class RandomSourceExtensions
{
    /// <summary>
    /// The length of the nonces Isthmus sends: 32 octets, at least half the key size of the
    /// strongest negotiated PRF and within 16-256 octets (RFC 7296 §2.10, §3.9).
    /// </summary>
    public const int NonceLength = 32;

    public static byte[] GetBytes(this IRandomSource random, int count)
    {
        var bytes = new byte[count];
        random.Fill(bytes);
        return bytes;
    }

    /// <summary>A fresh Ni or Nr (RFC 7296 §2.10).</summary>
    public static byte[] NewNonce(this IRandomSource random) => random.GetBytes(NonceLength);

    /// <summary>An IKE SA SPI: eight octets, never zero, which marks an unknown responder SPI (RFC 7296 §3.1).</summary>
    public static ulong NewIkeSpi(this IRandomSource random)
    {
        Span<byte> octets = stackalloc byte[8];
        ulong spi;
        do
        {
            random.Fill(octets);
            spi = BinaryPrimitives.ReadUInt64BigEndian(octets);
        }
        while (spi == 0);
        return spi;
    }

    /// <summary>An ESP SPI: SPIs 1-255 are reserved by IANA and 0 is never sent (RFC 4303 §2.1).</summary>
    public static uint NewChildSpi(this IRandomSource random)
    {
        Span<byte> octets = stackalloc byte[4];
        uint spi;
        do
        {
            random.Fill(octets);
            spi = BinaryPrimitives.ReadUInt32BigEndian(octets);
        }
        while (spi < 256);
        return spi;
    }

    /// <summary>A uniform value in [0, 1), from 53 random bits.</summary>
    public static double NextDouble(this IRandomSource random)
    {
        Span<byte> octets = stackalloc byte[8];
        random.Fill(octets);
        return (BinaryPrimitives.ReadUInt64BigEndian(octets) >> 11) * (1.0 / (1UL << 53));
    }
}
