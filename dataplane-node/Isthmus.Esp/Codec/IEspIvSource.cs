using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Isthmus.Esp;

/// <summary>
/// Supplies the per-packet IV of an outbound SA. Counter-mode algorithms (GCM, GMAC, CTR,
/// ChaCha20-Poly1305) need an IV that never repeats under one key (RFC 4106 §3.1, RFC 3686 §3,
/// RFC 7634 §2); CBC needs an unpredictable one (RFC 3602 §2.3). Tests inject fixed sources.
/// </summary>
public interface IEspIvSource
{
    /// <summary>Writes the IV for the packet carrying <paramref name="sequenceNumber"/> (the full 64-bit value with ESN).</summary>
    void NextIv(ulong sequenceNumber, Span<byte> iv);
}

/// <summary>IV = the 64-bit sequence number, big-endian: unique per SA key, as DPDK's rte_ipsec does for counter modes.</summary>
public sealed class SequenceNumberIvSource : IEspIvSource
{
    public static SequenceNumberIvSource Instance { get; } = new();

    public void NextIv(ulong sequenceNumber, Span<byte> iv)
    {
        if (iv.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64BigEndian(iv, sequenceNumber);
            iv[8..].Clear();
        }
        else
        {
            iv.Clear();
        }
    }
}

/// <summary>IV from the system CSPRNG: the default for AES-CBC.</summary>
public sealed class RandomIvSource : IEspIvSource
{
    public static RandomIvSource Instance { get; } = new();

    public void NextIv(ulong sequenceNumber, Span<byte> iv) => RandomNumberGenerator.Fill(iv);
}

/// <summary>The default IV source of each algorithm.</summary>
public static class EspIvSources
{
    public static IEspIvSource DefaultFor(EspEncryptionAlgorithm algorithm) => algorithm switch
    {
        EspEncryptionAlgorithm.AesCbc128 or EspEncryptionAlgorithm.AesCbc192 or EspEncryptionAlgorithm.AesCbc256 => RandomIvSource.Instance,
        _ => SequenceNumberIvSource.Instance,
    };
}
