using Isthmus.Ike.Crypto;

namespace Isthmus.Ike.Tests.Crypto;

/// <summary>A repeatable <see cref="IRandomSource"/> for tests: the same seed gives the same octets, run after run. Never for keys in use.</summary>
internal sealed class SeededRandomSource(int seed) : IRandomSource
{
    private readonly Random _random = new(seed);

    /// <summary>How many octets were drawn so far.</summary>
    public long Drawn { get; private set; }

    public void Fill(Span<byte> destination)
    {
        _random.NextBytes(destination);
        Drawn += destination.Length;
    }
}
