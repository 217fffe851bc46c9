using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Crypto;

/// <summary>An integrity transform (RFC 7296 §3.3.2 type 3): a truncated MAC.</summary>
public interface IIntegrity
{
    IntegrityAlgorithm Algorithm { get; }

    /// <summary>Key length in octets (SK_ai/SK_ar, and Child SA integrity keys).</summary>
    int KeySize { get; }

    /// <summary>Length of the (truncated) checksum in octets.</summary>
    int IcvSize { get; }

    /// <summary>Writes the truncated MAC of <paramref name="data"/> into <paramref name="icv"/> (IcvSize octets).</summary>
    void Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> icv);

    /// <summary>Constant-time check of <paramref name="icv"/> against the MAC of <paramref name="data"/>.</summary>
    bool Verify(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> icv);
}
