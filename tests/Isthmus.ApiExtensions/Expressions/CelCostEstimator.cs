namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// The static cost estimate of a checked CEL expression, as the Kubernetes API server computes it when a
/// CustomResourceDefinition is written: cel-go's estimator (checker/cost.go) walks the expression, sizing every
/// string, list and map it touches from the schema (the <see cref="DeclType"/> of the rule's node, via field paths
/// such as <c>self.spec.items.@items</c>), and Kubernetes' library estimator prices its own functions
/// (<see cref="KubernetesCallCosts"/>). Presence tests are free, as Kubernetes configures them.
/// <para>
/// Conservative where this library is unsure: a call to a function it does not know costs
/// <see cref="ulong.MaxValue"/>, so a rule it cannot judge is never admitted as cheap.
/// </para>
/// </summary>
public sealed class CelCostEstimator
{
    /// <summary>Cost of reading a variable or selecting a field.</summary>
    public const ulong SelectAndIdentCost = 1;

    /// <summary>Cost of a constant.</summary>
    public const ulong ConstCost = 0;

    /// <summary>Base cost of building a list.</summary>
    public const ulong ListCreateBaseCost = 10;

    /// <summary>Base cost of building a map.</summary>
    public const ulong MapCreateBaseCost = 30;

    /// <summary>Cost per character of traversing a string once.</summary>
    public const double StringTraversalCostFactor = 0.1;

    /// <summary>Cost per character of a regular expression, applied to a string of unit cost.</summary>
    public const double RegexStringLengthCostFactor = 0.25;

    private readonly CheckedCel _checked;
    private readonly DeclType _root;
    private readonly Dictionary<long, IReadOnlyList<string>> _paths = [];
    private readonly Dictionary<long, SizeEstimate> _sizes = [];
    private readonly Dictionary<long, EntrySize> _entrySizes = [];
    private readonly Dictionary<string, Stack<LocalVar>> _locals = new(StringComparer.Ordinal);

    private CelCostEstimator(CheckedCel @checked, DeclType root)
    {
        _checked = @checked;
        _root = root;
    }

    /// <summary>The estimated cost range of <paramref name="checked"/>, whose <c>self</c> is a value of <paramref name="root"/>.</summary>
    public static CostEstimate Estimate(CheckedCel @checked, DeclType root) =>
        new CelCostEstimator(@checked, root).Cost(@checked.Expr);

    /// <summary>The node of an argument as the call estimators see it: its field path, type and known size.</summary>
    internal readonly record struct AstNode(IReadOnlyList<string>? Path, CelType Type, CelExpr? Expr, SizeEstimate? ComputedSize);

    internal readonly record struct CallEstimate(CostEstimate Cost, SizeEstimate? ResultSize);

    private readonly record struct EntrySize(bool IsList, SizeEstimate Key, SizeEstimate Value);

    private sealed record LocalVar(IReadOnlyList<string>? Path, SizeEstimate? Size, EntrySize? EntrySize);

    /// <summary>The size the schema allows for a field path (Kubernetes' <c>sizeEstimator</c>): walks the path below the rule's node.</summary>
    internal SizeEstimate? EstimateSize(AstNode node)
    {
        if (node.Path is null || node.Path.Count == 0)
        {
            return null;
        }

        // As in the API server, the first element (the variable) is skipped whatever it is.
        var current = _root;
        foreach (var name in node.Path.Skip(1))
        {
            switch (name)
            {
                case "@items" or "@values":
                    current = current.Element;
                    break;
                case "@keys":
                    current = current.Key;
                    break;
                default:
                    current = current.Fields.TryGetValue(name, out var field) ? field.Type : null;
                    break;
            }

            if (current is null)
            {
                return null;
            }
        }

        return new SizeEstimate(0, (ulong)Math.Max(0, current.MaxElements));
    }

    private CostEstimate Cost(CelExpr e) => e switch
    {
        CelLiteral => CostEstimate.Fixed(ConstCost),
        CelIdent ident => CostIdent(ident),
        CelSelect select => CostSelect(select),
        CelCall call => CostCall(call),
        CelCreateList list => CostCreateList(list),
        CelCreateMap map => CostCreateMap(map),
        CelComprehension comprehension => CostComprehension(comprehension),
        _ => CostEstimate.Unknown,
    };

    private CostEstimate CostIdent(CelIdent ident)
    {
        _paths[ident.Id] = Peek(ident.Name) is { } local ? local.Path ?? [] : [ident.Name];
        return CostEstimate.Fixed(SelectAndIdentCost);
    }

    private CostEstimate CostSelect(CelSelect select)
    {
        if (select.TestOnly)
        {
            // Kubernetes sets PresenceTestHasCost(false): has() costs only its operand.
            return Cost(select.Operand);
        }

        var sum = Cost(select.Operand);
        if (_checked.TypeOf(select.Operand).Kind is CelTypeKind.Map or CelTypeKind.Struct or CelTypeKind.TypeParam)
        {
            sum = sum.Add(CostEstimate.Fixed(SelectAndIdentCost));
        }

        _paths[select.Id] = [.. PathOf(select.Operand), select.Field];
        return sum;
    }

    private CostEstimate CostCall(CelCall call)
    {
        var qualified = _checked.QualifiedFunctions.TryGetValue(call.Id, out var qualifiedName);
        var function = qualified ? qualifiedName! : call.Function;
        var target = qualified ? null : call.Target;

        if (function == "dyn" && target is null && call.Args.Count == 1)
        {
            var argCost = Cost(call.Args[0]);
            CopySizes(call, call.Args[0]);
            return CostEstimate.Fixed(1).Add(argCost);
        }

        var argCosts = new CostEstimate[call.Args.Count];
        var argNodes = new AstNode[call.Args.Count];
        for (var i = 0; i < call.Args.Count; i++)
        {
            argCosts[i] = Cost(call.Args[i]);
            argNodes[i] = NodeOf(call.Args[i]);
        }

        var sum = default(CostEstimate);
        AstNode? targetNode = null;
        if (target is not null)
        {
            sum = sum.Add(Cost(target));
            targetNode = NodeOf(target);
        }

        if (_checked.UnknownCalls.Contains(call.Id))
        {
            // Not a function this estimator knows: never admit it as cheap.
            return CostEstimate.Unknown;
        }

        var overloads = _checked.Overloads.TryGetValue(call.Id, out var ids) ? ids : [];
        if (overloads.Count == 0)
        {
            return default;
        }

        var fnCost = new CostEstimate(ulong.MaxValue, 0);
        SizeEstimate? resultSize = null;
        foreach (var overload in overloads)
        {
            var estimate = FunctionCost(call, function, overload, targetNode, argNodes, argCosts);
            fnCost = fnCost.Union(estimate.Cost);
            if (estimate.ResultSize is { } size)
            {
                resultSize = resultSize is { } r ? r.Union(size) : size;
            }

            switch (overload)
            {
                case "index_list" when call.Args.Count > 0:
                    resultSize = EntrySizeOf(call.Args[0])?.Value;
                    _paths[call.Id] = [.. PathOf(call.Args[0]), "@items"];
                    break;
                case "index_map" when call.Args.Count > 0:
                    resultSize = EntrySizeOf(call.Args[0])?.Value;
                    _paths[call.Id] = [.. PathOf(call.Args[0]), "@values"];
                    break;
            }

            resultSize ??= ComputeSize(call);
        }

        if (resultSize is { } known)
        {
            _sizes[call.Id] = known;
        }

        return sum.Add(fnCost);
    }

    private CallEstimate FunctionCost(CelCall call, string function, string overload, AstNode? target, AstNode[] args, CostEstimate[] argCosts)
    {
        var argSum = default(CostEstimate);
        foreach (var c in argCosts)
        {
            argSum = argSum.Add(c);
        }

        if (KubernetesCallCosts.Estimate(this, function, overload, target, args) is { } k8s)
        {
            return new CallEstimate(k8s.Cost.Add(argSum), k8s.ResultSize);
        }

        switch (overload)
        {
            case "string_to_bytes" when args.Length == 1:
            {
                var size = SizeOrUnknown(args[0]);
                return new CallEstimate(size.MultiplyByCostFactor(StringTraversalCostFactor).Add(argSum), new SizeEstimate(size.Min, Saturating.Multiply(size.Max, 4)));
            }

            case "bytes_to_string" when args.Length == 1:
            {
                var size = SizeOrUnknown(args[0]);
                return new CallEstimate(size.MultiplyByCostFactor(StringTraversalCostFactor).Add(argSum), new SizeEstimate(size.Min / 4, size.Max));
            }

            case "starts_with_string" or "ends_with_string" when args.Length == 1:
                return new CallEstimate(SizeOrUnknown(args[0]).MultiplyByCostFactor(StringTraversalCostFactor).Add(argSum), null);
            case "in_list" when args.Length == 2:
                return new CallEstimate(SizeOrUnknown(args[1]).MultiplyByCostFactor(1).Add(argSum), null);
            case "matches_string" when target is not null && args.Length == 1:
            case "matches" when target is null && args.Length == 2:
            {
                // cel-go prices only the member form; the global form is priced the same here (never lower).
                var subject = target ?? args[0];
                var pattern = target is null ? args[1] : args[0];
                var stringCost = SizeOrUnknown(subject).Add(SizeEstimate.Fixed(1)).MultiplyByCostFactor(StringTraversalCostFactor);
                var regexCost = SizeOrUnknown(pattern).MultiplyByCostFactor(RegexStringLengthCostFactor);
                return new CallEstimate(stringCost.Multiply(regexCost).Add(argSum), null);
            }

            case "contains_string" when target is not null && args.Length == 1:
            {
                var stringCost = SizeOrUnknown(target.Value).MultiplyByCostFactor(StringTraversalCostFactor);
                var substringCost = SizeOrUnknown(args[0]).MultiplyByCostFactor(StringTraversalCostFactor);
                return new CallEstimate(stringCost.Multiply(substringCost).Add(argSum), null);
            }

            case "logical_or" or "logical_and":
                return new CallEstimate(new CostEstimate(argCosts[0].Min, argCosts[0].Add(argCosts[1]).Max), null);
            case "conditional":
            {
                var size = SizeOrUnknown(args[1]).Union(SizeOrUnknown(args[2]));
                if (EntrySizeOf(call.Args[1]) is { } whenTrue && EntrySizeOf(call.Args[2]) is { } whenFalse)
                {
                    _entrySizes[call.Id] = new EntrySize(whenTrue.IsList, whenTrue.Key.Union(whenFalse.Key), whenTrue.Value.Union(whenFalse.Value));
                }

                return new CallEstimate(argCosts[0].Add(argCosts[1].Union(argCosts[2])), size);
            }

            case "add_string" or "add_bytes" or "add_list" when args.Length == 2:
            {
                var size = SizeOrUnknown(args[0]).Add(SizeOrUnknown(args[1]));
                if (EntrySizeOf(call.Args[0]) is { } left && EntrySizeOf(call.Args[1]) is { } right)
                {
                    _entrySizes[call.Id] = new EntrySize(left.IsList, left.Key.Union(right.Key), left.Value.Union(right.Value));
                }

                return overload == "add_list"
                    ? new CallEstimate(CostEstimate.Fixed(1).Add(argSum), size)
                    : new CallEstimate(size.MultiplyByCostFactor(StringTraversalCostFactor).Add(argSum), size);
            }

            case "less_string" or "greater_string" or "less_equals_string" or "greater_equals_string"
                or "less_bytes" or "greater_bytes" or "less_equals_bytes" or "greater_equals_bytes"
                or "equals" or "not_equals":
            {
                var left = SizeOrUnknown(args[0]);
                var right = SizeOrUnknown(args[1]);
                var smallestMax = Math.Min(left.Max, right.Max);
                var cost = new SizeEstimate(smallestMax > 0 ? 1UL : 0UL, smallestMax).MultiplyByCostFactor(StringTraversalCostFactor);
                return new CallEstimate(cost.Add(argSum), null);
            }
        }

        // O(1) functions.
        return new CallEstimate(CostEstimate.Fixed(1).Add(argSum), null);
    }

    private CostEstimate CostCreateList(CelCreateList list)
    {
        var sum = default(CostEstimate);
        var itemSize = new SizeEstimate(list.Elements.Count == 0 ? 0 : ulong.MaxValue, 0);
        foreach (var element in list.Elements)
        {
            sum = sum.Add(Cost(element));
            itemSize = itemSize.Union(SizeOrUnknown(element));
        }

        _entrySizes[list.Id] = new EntrySize(true, SizeEstimate.Fixed(1), itemSize);
        return sum.Add(CostEstimate.Fixed(ListCreateBaseCost));
    }

    private CostEstimate CostCreateMap(CelCreateMap map)
    {
        var sum = default(CostEstimate);
        var empty = map.Entries.Count == 0;
        var keySize = new SizeEstimate(empty ? 0 : ulong.MaxValue, 0);
        var valueSize = new SizeEstimate(empty ? 0 : ulong.MaxValue, 0);
        foreach (var entry in map.Entries)
        {
            sum = sum.Add(Cost(entry.Key)).Add(Cost(entry.Value));
            keySize = keySize.Union(SizeOrUnknown(entry.Key));
            valueSize = valueSize.Union(SizeOrUnknown(entry.Value));
        }

        _entrySizes[map.Id] = new EntrySize(false, keySize, valueSize);
        return sum.Add(CostEstimate.Fixed(MapCreateBaseCost));
    }

    private CostEstimate CostComprehension(CelComprehension c)
    {
        var sum = Cost(c.IterRange).Add(Cost(c.AccuInit));
        Push(c.AccuVar, new LocalVar(PathOf(c.AccuInit), ComputeSize(c.AccuInit), EntrySizeOf(c.AccuInit)));

        // The iteration variable: items of a list, keys of a map, with the range's path below it.
        var entry = EntrySizeOf(c.IterRange);
        var isList = entry is { } e ? e.IsList : _checked.TypeOf(c.IterRange).Kind == CelTypeKind.List;
        Push(c.IterVar, new LocalVar([.. PathOf(c.IterRange), isList ? "@items" : "@keys"], isList ? entry?.Value : entry?.Key, null));

        var loopCost = Cost(c.LoopCondition);
        var stepCost = Cost(c.LoopStep);
        Pop(c.IterVar);
        sum = sum.Add(Cost(c.Result));
        Pop(c.AccuVar);

        var rangeCount = SizeOrUnknown(c.IterRange);
        sum = sum.Add(rangeCount.MultiplyByCost(stepCost.Add(loopCost)));
        switch (c.AccuInit)
        {
            case CelLiteral:
                if (ComputeSize(c.AccuInit) is { } literalSize)
                {
                    _sizes[c.Id] = literalSize;
                }

                break;
            case CelCreateList or CelCreateMap:
                _sizes[c.Id] = rangeCount;
                if (EntrySizeOf(c.LoopStep) is { } stepEntry)
                {
                    _entrySizes[c.Id] = stepEntry;
                }

                break;
        }

        return sum;
    }

    private AstNode NodeOf(CelExpr e)
    {
        var path = PathOf(e);
        if (path.Count > 0 && path[0] == CelOperators.AccumulatorName)
        {
            path = [];
        }

        return new AstNode(path.Count == 0 ? null : path, _checked.TypeOf(e), e, ComputeSize(e));
    }

    internal SizeEstimate SizeOrUnknown(AstNode node) => node.ComputedSize ?? SizeEstimate.Unknown;

    private SizeEstimate SizeOrUnknown(CelExpr e) => ComputeSize(e) ?? SizeEstimate.Unknown;

    private IReadOnlyList<string> PathOf(CelExpr e)
    {
        if (e is CelIdent ident && Peek(ident.Name) is { } local)
        {
            return local.Path ?? [];
        }

        return _paths.TryGetValue(e.Id, out var path) ? path : [];
    }

    private SizeEstimate? ComputeSize(CelExpr e)
    {
        if (_sizes.TryGetValue(e.Id, out var known))
        {
            return known;
        }

        var literal = e switch
        {
            CelLiteral { Kind: CelLiteralKind.String, Value: string s } => (ulong)s.EnumerateRunes().Count(),
            CelLiteral { Kind: CelLiteralKind.Bytes, Value: byte[] b } => (ulong)b.Length,
            CelLiteral => 1UL,
            CelCreateList list => (ulong)list.Elements.Count,
            CelCreateMap map => (ulong)map.Entries.Count,
            _ => (ulong?)null,
        };
        if (literal is { } fixedSize)
        {
            return SizeEstimate.Fixed(fixedSize);
        }

        var path = PathOf(e);
        if (EstimateSize(new AstNode(path.Count == 0 ? null : path, _checked.TypeOf(e), e, null)) is { } estimated)
        {
            _sizes[e.Id] = estimated;
            return estimated;
        }

        if (_checked.TypeOf(e).IsScalar)
        {
            return SizeEstimate.Fixed(1);
        }

        if (e is CelIdent ident && Peek(ident.Name) is { Size: { } localSize })
        {
            return localSize;
        }

        return null;
    }

    private EntrySize? EntrySizeOf(CelExpr e)
    {
        if (_entrySizes.TryGetValue(e.Id, out var entry))
        {
            return entry;
        }

        return e is CelIdent ident && Peek(ident.Name) is { EntrySize: { } local } ? local : null;
    }

    private void CopySizes(CelExpr to, CelExpr from)
    {
        if (ComputeSize(from) is { } size)
        {
            _sizes[to.Id] = size;
        }

        if (EntrySizeOf(from) is { } entry)
        {
            _entrySizes[to.Id] = entry;
        }
    }

    private LocalVar? Peek(string name) => _locals.TryGetValue(name, out var stack) && stack.Count > 0 ? stack.Peek() : null;

    private void Push(string name, LocalVar local)
    {
        if (!_locals.TryGetValue(name, out var stack))
        {
            _locals[name] = stack = new Stack<LocalVar>();
        }

        stack.Push(local);
    }

    private void Pop(string name) => _locals[name].Pop();
}
