namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// A type-checked CEL expression: the type of every node, the overload ids each call may resolve to at run time
/// (several when an argument is <c>dyn</c>), and the calls to functions this library does not know.
/// </summary>
public sealed class CheckedCel
{
    internal CheckedCel(CelExpr expr, Dictionary<long, CelType> types, Dictionary<long, IReadOnlyList<string>> overloads, HashSet<long> unknownCalls, Dictionary<long, string> qualified, bool usesOldSelf)
    {
        QualifiedFunctions = qualified;
        Expr = expr;
        Types = types;
        Overloads = overloads;
        UnknownCalls = unknownCalls;
        UsesOldSelf = usesOldSelf;
    }

    /// <summary>The expression.</summary>
    public CelExpr Expr { get; }

    /// <summary>Node id to inferred type.</summary>
    public IReadOnlyDictionary<long, CelType> Types { get; }

    /// <summary>Call node id to the ids of the overloads that match its argument types.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<string>> Overloads { get; }

    /// <summary>Calls to functions outside <see cref="CelOverloads"/>: their cost is not known.</summary>
    public IReadOnlySet<long> UnknownCalls { get; }

    /// <summary>Calls written as <c>ns.f(x)</c> that name a global function <c>ns.f</c> (e.g. <c>ip.isCanonical</c>).</summary>
    public IReadOnlyDictionary<long, string> QualifiedFunctions { get; }

    /// <summary>Whether the rule reads <c>oldSelf</c> (a transition rule).</summary>
    public bool UsesOldSelf { get; }

    /// <summary>The type of the whole expression.</summary>
    public CelType ResultType => Types[Expr.Id];

    /// <summary>The type of a node (dyn when unknown).</summary>
    public CelType TypeOf(CelExpr e) => Types.TryGetValue(e.Id, out var t) ? t : CelType.Dyn;
}

/// <summary>
/// Infers the types of a CEL expression whose variables are declared (for CRD rules: <c>self</c> and
/// <c>oldSelf</c> with the schema's <see cref="DeclType"/>), resolves each call against <see cref="CelOverloads"/>
/// and reports the errors the API server's compiler reports: undeclared names, undefined fields, calls with no
/// matching overload, mixed element types in a literal (Kubernetes requires homogeneous literals).
/// </summary>
public sealed class CelChecker
{
    private static readonly Dictionary<string, CelType> TypeNames = new(StringComparer.Ordinal)
    {
        ["bool"] = CelType.Bool,
        ["int"] = CelType.Int,
        ["uint"] = CelType.Uint,
        ["double"] = CelType.Double,
        ["string"] = CelType.String,
        ["bytes"] = CelType.Bytes,
        ["list"] = CelType.ListOf(CelType.Dyn),
        ["map"] = CelType.MapOf(CelType.Dyn, CelType.Dyn),
        ["null_type"] = CelType.Null,
        ["type"] = CelType.TypeOf(CelType.Dyn),
        ["google.protobuf.Duration"] = CelType.Duration,
        ["google.protobuf.Timestamp"] = CelType.Timestamp,
        ["net.IP"] = CelType.Ip,
        ["net.CIDR"] = CelType.Cidr,
    };

    private readonly string _source;
    private readonly IReadOnlyDictionary<string, CelType> _variables;
    private readonly List<Dictionary<string, CelType>> _scopes = [];
    private readonly Dictionary<long, CelType> _types = [];
    private readonly Dictionary<long, IReadOnlyList<string>> _overloads = [];
    private readonly HashSet<long> _unknown = [];
    private readonly Dictionary<long, string> _qualified = [];
    private bool _usesOldSelf;

    private CelChecker(string source, IReadOnlyDictionary<string, CelType> variables)
    {
        _source = source;
        _variables = variables;
    }

    /// <summary>Parses and checks <paramref name="source"/> with the given variables.</summary>
    /// <exception cref="CelSyntaxException">The expression does not parse or does not type-check.</exception>
    public static CheckedCel Check(string source, IReadOnlyDictionary<string, CelType> variables)
    {
        var expr = CelParser.Parse(source);
        var checker = new CelChecker(source, variables);
        checker.Visit(expr);
        return new CheckedCel(expr, checker._types, checker._overloads, checker._unknown, checker._qualified, checker._usesOldSelf);
    }

    /// <summary>Checks a rule of a schema node: <c>self</c> and <c>oldSelf</c> are values of <paramref name="self"/>.</summary>
    public static CheckedCel CheckRule(string rule, DeclType self) =>
        Check(rule, new Dictionary<string, CelType>(StringComparer.Ordinal) { ["self"] = self.Type, ["oldSelf"] = self.Type });

    private CelSyntaxException Error(string detail) => new(_source, 0, detail);

    private CelType Visit(CelExpr e)
    {
        var type = e switch
        {
            CelLiteral l => l.Kind switch
            {
                CelLiteralKind.Null => CelType.Null,
                CelLiteralKind.Bool => CelType.Bool,
                CelLiteralKind.Int => CelType.Int,
                CelLiteralKind.Uint => CelType.Uint,
                CelLiteralKind.Double => CelType.Double,
                CelLiteralKind.String => CelType.String,
                _ => CelType.Bytes,
            },
            CelIdent ident => VisitIdent(ident),
            CelSelect select => VisitSelect(select),
            CelCall call => VisitCall(call),
            CelCreateList list => VisitList(list),
            CelCreateMap map => VisitMap(map),
            CelComprehension comprehension => VisitComprehension(comprehension),
            _ => throw Error("unsupported expression"),
        };
        _types[e.Id] = type;
        return type;
    }

    private CelType? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out var local))
            {
                return local;
            }
        }

        if (_variables.TryGetValue(name, out var variable))
        {
            if (name == "oldSelf")
            {
                _usesOldSelf = true;
            }

            return variable;
        }

        return null;
    }

    private CelType VisitIdent(CelIdent ident)
    {
        if (Lookup(ident.Name) is { } type)
        {
            return type;
        }

        if (TypeNames.TryGetValue(ident.Name.TrimStart('.'), out var typeName))
        {
            return CelType.TypeOf(typeName);
        }

        throw Error($"undeclared reference to '{ident.Name}' (in container '')");
    }

    private CelType VisitSelect(CelSelect select)
    {
        var operand = Visit(select.Operand);
        CelType result;
        switch (operand.Kind)
        {
            case CelTypeKind.Struct:
                if (operand.Decl is null || !operand.Decl.Fields.TryGetValue(select.Field, out var field))
                {
                    throw Error($"undefined field '{select.Field}'");
                }

                result = field.Type.Type;
                break;
            case CelTypeKind.Map:
                result = operand.Element;
                break;
            case CelTypeKind.Dyn or CelTypeKind.TypeParam:
                result = CelType.Dyn;
                break;
            default:
                throw Error($"type '{operand}' does not support field selection");
        }

        return select.TestOnly ? CelType.Bool : result;
    }

    private CelType VisitCall(CelCall call)
    {
        var function = call.Function;
        var target = call.Target;

        // A qualified global function such as ip.isCanonical('...') parses as a member call on an identifier that
        // names no variable. One this library does not declare (sets.contains, ...) is a call it cannot price.
        if (target is CelIdent qualifier && Lookup(qualifier.Name) is null && !TypeNames.ContainsKey(qualifier.Name))
        {
            function = qualifier.Name + "." + function;
            target = null;
            _qualified[call.Id] = function;
            _types[qualifier.Id] = CelType.Dyn;
        }

        var argTypes = new List<CelType>();
        if (target is not null)
        {
            argTypes.Add(Visit(target));
        }

        argTypes.AddRange(call.Args.Select(Visit));
        var declared = CelOverloads.Of(function);
        if (declared.Count == 0)
        {
            _unknown.Add(call.Id);
            _overloads[call.Id] = [];
            return CelType.Dyn;
        }

        var matches = new List<(CelOverload Overload, CelType Result)>();
        foreach (var overload in declared.Where(o => o.Member == (target is not null) && o.Parameters.Count == argTypes.Count))
        {
            var bindings = new Dictionary<string, CelType>(StringComparer.Ordinal);
            if (overload.Parameters.Zip(argTypes).All(p => Unify(p.First, p.Second, bindings)))
            {
                matches.Add((overload, Substitute(overload.Result, bindings)));
            }
        }

        if (matches.Count == 0)
        {
            throw Error($"found no matching overload for '{call.Function}' applied to '({string.Join(", ", argTypes)})'");
        }

        _overloads[call.Id] = matches.Select(m => m.Overload.Id).ToList();
        var first = matches[0].Result;
        return matches.All(m => m.Result.Equals(first)) ? first : CelType.Dyn;
    }

    private CelType VisitList(CelCreateList list)
    {
        CelType? element = null;
        foreach (var item in list.Elements)
        {
            var type = Visit(item);
            element = Join(element, type);
        }

        return CelType.ListOf(element ?? CelType.Dyn);
    }

    private CelType VisitMap(CelCreateMap map)
    {
        CelType? key = null;
        CelType? value = null;
        foreach (var entry in map.Entries)
        {
            key = Join(key, Visit(entry.Key));
            value = Join(value, Visit(entry.Value));
        }

        return CelType.MapOf(key ?? CelType.Dyn, value ?? CelType.Dyn);
    }

    /// <summary>The common type of two literal elements; Kubernetes rejects mixed literals (homogeneous aggregate literals).</summary>
    private CelType Join(CelType? current, CelType next)
    {
        if (current is null || current.Kind == CelTypeKind.Dyn)
        {
            return next;
        }

        if (next.Kind == CelTypeKind.Dyn || current.Equals(next))
        {
            return current;
        }

        throw Error($"expected type '{current}' but found '{next}'");
    }

    private CelType VisitComprehension(CelComprehension c)
    {
        var range = Visit(c.IterRange);
        var iterType = range.Kind switch
        {
            CelTypeKind.List => range.Element,
            CelTypeKind.Map => range.Key,
            CelTypeKind.Dyn => CelType.Dyn,
            _ => throw Error($"expression of type '{range}' cannot be range of a comprehension (must be list, map, or dynamic)"),
        };
        var accuType = Visit(c.AccuInit);
        _scopes.Add(new Dictionary<string, CelType>(StringComparer.Ordinal) { [c.AccuVar] = accuType });
        _scopes.Add(new Dictionary<string, CelType>(StringComparer.Ordinal) { [c.IterVar] = iterType });
        Visit(c.LoopCondition);
        var step = Visit(c.LoopStep);
        _scopes.RemoveAt(_scopes.Count - 1);
        if (accuType.Kind == CelTypeKind.List && accuType.Element.Kind == CelTypeKind.Dyn && step.Kind == CelTypeKind.List)
        {
            _scopes[^1][c.AccuVar] = step;
        }

        var result = Visit(c.Result);
        _scopes.RemoveAt(_scopes.Count - 1);
        return result;
    }

    private static bool Unify(CelType parameter, CelType argument, Dictionary<string, CelType> bindings)
    {
        if (parameter.Kind == CelTypeKind.TypeParam)
        {
            if (bindings.TryGetValue(parameter.Name, out var bound))
            {
                if (bound.Kind == CelTypeKind.Dyn && argument.Kind != CelTypeKind.Dyn)
                {
                    return true;
                }

                return Assignable(bound, argument);
            }

            bindings[parameter.Name] = argument;
            return true;
        }

        if (argument.Kind == CelTypeKind.Dyn || parameter.Kind == CelTypeKind.Dyn)
        {
            BindAllDyn(parameter, bindings);
            return true;
        }

        return parameter.Kind switch
        {
            CelTypeKind.List => argument.Kind == CelTypeKind.List && Unify(parameter.Element, argument.Element, bindings),
            CelTypeKind.Map => argument.Kind == CelTypeKind.Map && Unify(parameter.Key, argument.Key, bindings) && Unify(parameter.Element, argument.Element, bindings),
            CelTypeKind.Type => argument.Kind == CelTypeKind.Type,
            CelTypeKind.Opaque => argument.Kind == CelTypeKind.Opaque && argument.Name == parameter.Name,
            _ => parameter.Kind == argument.Kind,
        };
    }

    private static void BindAllDyn(CelType parameter, Dictionary<string, CelType> bindings)
    {
        if (parameter.Kind == CelTypeKind.TypeParam)
        {
            bindings.TryAdd(parameter.Name, CelType.Dyn);
        }

        foreach (var p in parameter.Parameters)
        {
            BindAllDyn(p, bindings);
        }
    }

    private static bool Assignable(CelType target, CelType value)
    {
        if (target.Kind == CelTypeKind.Dyn || value.Kind == CelTypeKind.Dyn)
        {
            return true;
        }

        if (value.Kind == CelTypeKind.Null)
        {
            return target.Kind is CelTypeKind.Null or CelTypeKind.Struct or CelTypeKind.Opaque or CelTypeKind.Duration or CelTypeKind.Timestamp;
        }

        if (target.Kind == CelTypeKind.Null)
        {
            return value.Kind is CelTypeKind.Struct or CelTypeKind.Opaque or CelTypeKind.Duration or CelTypeKind.Timestamp;
        }

        return target.Kind switch
        {
            CelTypeKind.List => value.Kind == CelTypeKind.List && Assignable(target.Element, value.Element),
            CelTypeKind.Map => value.Kind == CelTypeKind.Map && Assignable(target.Key, value.Key) && Assignable(target.Element, value.Element),
            CelTypeKind.Struct => value.Kind == CelTypeKind.Struct,
            CelTypeKind.Opaque => value.Kind == CelTypeKind.Opaque && value.Name == target.Name,
            _ => target.Kind == value.Kind,
        };
    }

    private static CelType Substitute(CelType type, Dictionary<string, CelType> bindings) => type.Kind switch
    {
        CelTypeKind.TypeParam => bindings.TryGetValue(type.Name, out var bound) ? bound : CelType.Dyn,
        CelTypeKind.List => CelType.ListOf(Substitute(type.Element, bindings)),
        CelTypeKind.Map => CelType.MapOf(Substitute(type.Key, bindings), Substitute(type.Element, bindings)),
        CelTypeKind.Type => CelType.TypeOf(Substitute(type.Parameters[0], bindings)),
        _ => type,
    };
}
