namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// An inclusive range of sizes (characters of a string, bytes, items of a list, entries of a map), with cel-go's
/// saturating arithmetic: a result that would overflow is <see cref="ulong.MaxValue"/>, which means unbounded.
/// </summary>
public readonly record struct SizeEstimate(ulong Min, ulong Max)
{
    /// <summary>Any size at all.</summary>
    public static SizeEstimate Unknown => new(0, ulong.MaxValue);

    /// <summary>Exactly <paramref name="size"/>.</summary>
    public static SizeEstimate Fixed(ulong size) => new(size, size);

    /// <summary>The sum of two sizes.</summary>
    public SizeEstimate Add(SizeEstimate other) => new(Saturating.Add(Min, other.Min), Saturating.Add(Max, other.Max));

    /// <summary>The product of two sizes.</summary>
    public SizeEstimate Multiply(SizeEstimate other) => new(Saturating.Multiply(Min, other.Min), Saturating.Multiply(Max, other.Max));

    /// <summary>The range that covers both.</summary>
    public SizeEstimate Union(SizeEstimate other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));

    /// <summary>The cost of handling each unit at <paramref name="costPerUnit"/>, rounded up.</summary>
    public CostEstimate MultiplyByCostFactor(double costPerUnit) =>
        new(Saturating.MultiplyByFactor(Min, costPerUnit), Saturating.MultiplyByFactor(Max, costPerUnit));

    /// <summary>The cost of doing <paramref name="cost"/> once per unit.</summary>
    public CostEstimate MultiplyByCost(CostEstimate cost) =>
        new(Saturating.Multiply(Min, cost.Min), Saturating.Multiply(Max, cost.Max));
}

/// <summary>An inclusive range of CEL cost units, with cel-go's saturating arithmetic.</summary>
public readonly record struct CostEstimate(ulong Min, ulong Max)
{
    /// <summary>A cost the estimator cannot bound.</summary>
    public static CostEstimate Unknown => new(0, ulong.MaxValue);

    /// <summary>Exactly <paramref name="cost"/>.</summary>
    public static CostEstimate Fixed(ulong cost) => new(cost, cost);

    /// <summary>The sum of two costs.</summary>
    public CostEstimate Add(CostEstimate other) => new(Saturating.Add(Min, other.Min), Saturating.Add(Max, other.Max));

    /// <summary>The product of two costs.</summary>
    public CostEstimate Multiply(CostEstimate other) => new(Saturating.Multiply(Min, other.Min), Saturating.Multiply(Max, other.Max));

    /// <summary>The cost scaled by <paramref name="factor"/>, rounded up.</summary>
    public CostEstimate MultiplyByCostFactor(double factor) =>
        new(Saturating.MultiplyByFactor(Min, factor), Saturating.MultiplyByFactor(Max, factor));

    /// <summary>The range that covers both.</summary>
    public CostEstimate Union(CostEstimate other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));
}

/// <summary>Unsigned 64-bit arithmetic that stops at <see cref="ulong.MaxValue"/> instead of wrapping.</summary>
internal static class Saturating
{
    private static readonly double TwoTo64 = Math.Pow(2, 64);

    public static ulong Add(ulong x, ulong y) => y > 0 && x > ulong.MaxValue - y ? ulong.MaxValue : x + y;

    public static ulong Multiply(ulong x, ulong y) => y != 0 && x > ulong.MaxValue / y ? ulong.MaxValue : x * y;

    public static ulong MultiplyByFactor(ulong x, double factor)
    {
        var value = (double)x;
        if (value > 0 && factor > 0 && value > ulong.MaxValue / factor)
        {
            return ulong.MaxValue;
        }

        var ceiling = Math.Ceiling(value * factor);
        return ceiling >= TwoTo64 ? ulong.MaxValue : (ulong)ceiling;
    }
}
