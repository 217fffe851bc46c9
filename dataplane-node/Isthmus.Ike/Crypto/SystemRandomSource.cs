using System.Security.Cryptography;

namespace Isthmus.Ike.Crypto;

/// <summary>The operating system's cryptographically secure generator, through .NET's <see cref="RandomNumberGenerator"/>.</summary>
public sealed class SystemRandomSource : IRandomSource
{
    /// <summary>The generator has no state of its own, so one instance serves every SA.</summary>
    public static SystemRandomSource Instance { get; } = new();

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);
}
