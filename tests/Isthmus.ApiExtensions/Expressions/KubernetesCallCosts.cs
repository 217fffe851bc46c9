using static Isthmus.ApiExtensions.Expressions.CelCostEstimator;

namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// The prices Kubernetes' CEL libraries put on their functions at CRD admission (k8s.io/apiserver/pkg/cel/library,
/// <c>CostEstimator.EstimateCallCost</c>): string functions by a traversal of the receiver, IP and CIDR parsing by a
/// traversal of the text, accessors at a nominal cost, list functions per element. Keyed by function name as the
/// API server keys them.
/// <para>
/// Kubernetes 1.32's cel-go hands the library a non-nil receiver even for global calls, so <c>isIP(s)</c>,
/// <c>isCIDR(s)</c>, <c>cidr(s)</c> and <c>ip(s)</c> cost a traversal of <c>s</c> there (later releases charge
/// them 1); this follows 1.32, the higher of the two.
/// </para>
/// </summary>
internal static class KubernetesCallCosts
{
    private static readonly SizeEstimate IpBytes = new(4, 16);

    public static CelCostEstimator.CallEstimate? Estimate(CelCostEstimator estimator, string function, string overload, CelCostEstimator.AstNode? target, CelCostEstimator.AstNode[] args)
    {
        SizeEstimate Size(CelCostEstimator.AstNode node) => node.ComputedSize ?? estimator.EstimateSize(node) ?? SizeEstimate.Unknown;
        CelCostEstimator.CallEstimate Fixed(ulong cost) => new(CostEstimate.Fixed(cost), null);

        switch (function)
        {
            case "isSorted" or "sum" or "max" or "min" or "indexOf" or "lastIndexOf" when target is { } list:
                if (ElementOf(list) is { } element)
                {
                    var elementCost = CostEstimate.Fixed(1);
                    if (element.Type.Kind is CelTypeKind.String or CelTypeKind.Bytes)
                    {
                        elementCost = elementCost.Add(Size(element).MultiplyByCostFactor(StringTraversalCostFactor));
                    }

                    return new(Size(list).MultiplyByCost(elementCost), null);
                }

                return new(Size(list).MultiplyByCostFactor(StringTraversalCostFactor), null);
            case "lowerAscii" or "upperAscii" or "substring" or "trim" when target is { } receiver:
            {
                var size = Size(receiver);
                return new(size.MultiplyByCostFactor(StringTraversalCostFactor), size);
            }

            case "replace" when target is { } receiver && args.Length >= 2:
                return new(Size(receiver).MultiplyByCostFactor(2 * StringTraversalCostFactor), ReplaceSize(Size(receiver), Size(args[0]), Size(args[1])));
            case "split" when target is { } receiver:
            {
                var size = Size(receiver);
                var max = size.Max;
                if (args.Length > 1 && args[1].Expr is CelLiteral { Value: long limit })
                {
                    max = unchecked((ulong)limit);
                }

                return new(size.MultiplyByCostFactor(2 * StringTraversalCostFactor), new SizeEstimate(0, max));
            }

            case "join" when target is { } list:
            {
                var listSize = Size(list);
                var size = default(SizeEstimate);
                if (ElementOf(list) is { } item)
                {
                    size = listSize.Multiply(Size(item));
                }

                if (args.Length > 0)
                {
                    var separators = new SizeEstimate(listSize.Min > 0 ? listSize.Min - 1 : 0, listSize.Max > 0 ? listSize.Max - 1 : 0);
                    size = size.Add(Size(args[0]).Multiply(separators));
                }

                return new(size.MultiplyByCostFactor(StringTraversalCostFactor), size);
            }

            case "find" or "findAll" when target is { } receiver && args.Length >= 1:
            {
                var size = Size(receiver);
                var stringCost = size.Add(SizeEstimate.Fixed(1)).MultiplyByCostFactor(StringTraversalCostFactor);
                var regexCost = Size(args[0]).MultiplyByCostFactor(RegexStringLengthCostFactor);
                return new(stringCost.Multiply(regexCost), new SizeEstimate(0, size.Max));
            }

            case "cidr" or "isIP" or "isCIDR" when args.Length >= 1:
                return new(Size(args[0]).MultiplyByCostFactor(StringTraversalCostFactor), null);
            case "ip":
                if (overload == "cidr_ip" || args.Length == 0)
                {
                    return Fixed(1);
                }

                return new(Size(args[0]).MultiplyByCostFactor(StringTraversalCostFactor), null);
            case "ip.isCanonical" when args.Length >= 1:
                return new(Size(args[0]).MultiplyByCostFactor(2 * StringTraversalCostFactor), null);
            case "masked" or "prefixLength" or "family" or "isUnspecified" or "isLoopback" or "isLinkLocalMulticast" or "isLinkLocalUnicast":
                return Fixed(1);
            case "containsIP" when target is not null && args.Length >= 1:
            {
                var cost = IpBytes.Add(IpBytes).MultiplyByCostFactor(StringTraversalCostFactor);
                if (overload == "cidr_contains_ip_string")
                {
                    cost = cost.Add(Size(args[0]).MultiplyByCostFactor(StringTraversalCostFactor));
                }

                return new(cost, null);
            }

            case "containsCIDR" when target is not null && args.Length >= 1:
            {
                var cost = IpBytes.Add(IpBytes).MultiplyByCostFactor(StringTraversalCostFactor)
                    .Add(IpBytes.MultiplyByCostFactor(StringTraversalCostFactor))
                    .Add(CostEstimate.Fixed(1));
                if (overload == "cidr_contains_cidr_string")
                {
                    cost = cost.Add(Size(args[0]).MultiplyByCostFactor(StringTraversalCostFactor));
                }

                return new(cost, null);
            }
        }

        return null;
    }

    /// <summary>The items of a list receiver, with the path below it so a schema maxLength applies.</summary>
    private static CelCostEstimator.AstNode? ElementOf(CelCostEstimator.AstNode list)
    {
        if (list.Type.Kind != CelTypeKind.List)
        {
            return null;
        }

        return new CelCostEstimator.AstNode(list.Path is null ? null : [.. list.Path, "@items"], list.Type.Element, null, null);
    }

    private static SizeEstimate ReplaceSize(SizeEstimate size, SizeEstimate toReplace, SizeEstimate replaceWith)
    {
        ulong countMax, countMin, retainedMax = 0, retainedMin = 0;
        if (toReplace.Min == 0)
        {
            countMax = size.Max < ulong.MaxValue ? size.Max + 1 : size.Max;
            retainedMax = size.Max;
        }
        else if (replaceWith.Max <= toReplace.Min)
        {
            countMax = 0;
            retainedMax = size.Max;
        }
        else
        {
            countMax = (ulong)Math.Ceiling((double)size.Max / toReplace.Min);
        }

        if (toReplace.Max == 0)
        {
            countMin = size.Min < ulong.MaxValue ? size.Min + 1 : size.Min;
            retainedMin = size.Min;
        }
        else if (toReplace.Max <= replaceWith.Min)
        {
            countMin = 0;
            retainedMin = size.Min;
        }
        else
        {
            countMin = (ulong)Math.Ceiling((double)size.Min / toReplace.Max);
        }

        return new SizeEstimate(countMin, countMax).Multiply(replaceWith).Add(new SizeEstimate(retainedMin, retainedMax));
    }
}
