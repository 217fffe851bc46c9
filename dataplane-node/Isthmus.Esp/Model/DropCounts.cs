namespace Isthmus.Esp;

/// <summary>An immutable snapshot of drop counters, one per <see cref="DropReason"/>.</summary>
public sealed class DropCounts
{
    private readonly ulong[] counts;

    public DropCounts(ReadOnlySpan<ulong> countsByReason)
    {
        counts = new ulong[DropReasons.Count];
        countsByReason[..Math.Min(countsByReason.Length, DropReasons.Count)].CopyTo(counts);
    }

    public static DropCounts Empty { get; } = new([]);

    public ulong this[DropReason reason] => (int)reason < counts.Length ? counts[(int)reason] : 0;

    /// <summary>All drops.</summary>
    public ulong Total
    {
        get
        {
            ulong total = 0;
            for (int i = 1; i < counts.Length; i++)
            {
                total += counts[i];
            }

            return total;
        }
    }

    /// <summary>The reasons with a non-zero count.</summary>
    public IEnumerable<KeyValuePair<DropReason, ulong>> NonZero()
    {
        for (int i = 1; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                yield return new((DropReason)i, counts[i]);
            }
        }
    }

    public override string ToString() => string.Join(", ", NonZero().Select(kv => $"{kv.Key}={kv.Value}"));
}
