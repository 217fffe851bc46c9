using System.Globalization;

namespace Isthmus.ApiExtensions.Definitions;

/// <summary>
/// The API server's budget for the static cost of <c>x-kubernetes-validations</c> rules
/// (k8s.io/apiextensions-apiserver validation): per rule (its estimated cost times the number of times its node can
/// occur) and for all rules of a schema together, and the wording of the error when a budget is exceeded.
/// </summary>
public static class CostBudget
{
    /// <summary><c>StaticEstimatedCostLimit</c>: the largest estimated cost of one rule, times its cardinality.</summary>
    public const ulong PerRuleLimit = 10_000_000;

    /// <summary><c>StaticEstimatedCRDCostLimit</c>: the largest sum of the estimated costs of all rules of a schema.</summary>
    public const ulong PerCrdLimit = 100_000_000;

    /// <summary>
    /// <c>getCostErrorMessage</c>: "&lt;what&gt; exceeds budget by factor of &lt;f&gt;x (...)", where f is "more than 100x" above
    /// 100, six decimals below 1.5 (Go <c>%f</c>) and one decimal otherwise (<c>%.1f</c>).
    /// </summary>
    public static string ExceededMessage(string what, ulong cost, ulong limit)
    {
        var factor = (double)cost / limit;
        var text = factor switch
        {
            > 100.0 => "more than 100x",
            < 1.5 => factor.ToString("F6", CultureInfo.InvariantCulture) + "x",
            _ => factor.ToString("F1", CultureInfo.InvariantCulture) + "x",
        };
        return $"{what} exceeds budget by factor of {text} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)";
    }

    /// <summary>The product, or <see cref="ulong.MaxValue"/> when it overflows (0 when the cost is 0).</summary>
    public static ulong Multiply(ulong cost, ulong cardinality) =>
        cost == 0 ? 0 : ulong.MaxValue / cost < cardinality ? ulong.MaxValue : cost * cardinality;

    /// <summary>
    /// How often data of a node could repeat in one request when an enclosing list or map is unbounded:
    /// the 3 MiB request size over the node's smallest JSON text plus a comma.
    /// </summary>
    public static ulong CardinalityFromRequestSize(long minSerializedSize) =>
        (ulong)(Expressions.DeclType.MaxRequestSizeBytes / (minSerializedSize + 1));
}
