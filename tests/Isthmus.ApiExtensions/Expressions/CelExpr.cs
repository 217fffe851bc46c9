namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// A parsed CEL expression (the cel-spec abstract syntax, with macros already expanded into comprehensions as
/// cel-go's parser expands them). Every node has an id unique within its expression, the key for types, overloads,
/// paths and sizes.
/// </summary>
public abstract record CelExpr(long Id);

/// <summary>The kinds of literal constants.</summary>
public enum CelLiteralKind
{
    /// <summary><c>null</c>.</summary>
    Null,

    /// <summary><c>true</c> or <c>false</c>.</summary>
    Bool,

    /// <summary>A signed 64-bit integer.</summary>
    Int,

    /// <summary>An unsigned 64-bit integer (<c>1u</c>).</summary>
    Uint,

    /// <summary>A 64-bit floating point number.</summary>
    Double,

    /// <summary>A Unicode string.</summary>
    String,

    /// <summary>A byte sequence (<c>b'...'</c>).</summary>
    Bytes,
}

/// <summary>A constant: <c>1</c>, <c>'a'</c>, <c>true</c>, <c>null</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Kind">The literal's kind.</param>
/// <param name="Value">long, ulong, double, string, byte[], bool or null.</param>
public sealed record CelLiteral(long Id, CelLiteralKind Kind, object? Value) : CelExpr(Id);

/// <summary>A name: a variable, a comprehension variable or a type name.</summary>
public sealed record CelIdent(long Id, string Name) : CelExpr(Id);

/// <summary>A field selection <c>operand.field</c>, or a presence test <c>has(operand.field)</c> when <paramref name="TestOnly"/>.</summary>
public sealed record CelSelect(long Id, CelExpr Operand, string Field, bool TestOnly) : CelExpr(Id);

/// <summary>
/// A function call: a global call <c>f(args)</c> (no target), a member call <c>target.f(args)</c>, or an operator
/// under its cel-go name (<c>_&amp;&amp;_</c>, <c>_==_</c>, <c>@in</c>, <c>_[_]</c>, ...).
/// </summary>
public sealed record CelCall(long Id, string Function, CelExpr? Target, IReadOnlyList<CelExpr> Args) : CelExpr(Id)
{
    /// <summary>Whether the call has a receiver.</summary>
    public bool IsMember => Target is not null;
}

/// <summary>A list literal <c>[a, b]</c>.</summary>
public sealed record CelCreateList(long Id, IReadOnlyList<CelExpr> Elements) : CelExpr(Id);

/// <summary>A map literal <c>{k: v}</c>.</summary>
public sealed record CelCreateMap(long Id, IReadOnlyList<CelMapEntry> Entries) : CelExpr(Id);

/// <summary>One <c>key: value</c> entry of a map literal.</summary>
public sealed record CelMapEntry(CelExpr Key, CelExpr Value);

/// <summary>
/// A fold over a list or map, the expansion of the macros <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>
/// and <c>filter</c>: the accumulator starts at <paramref name="AccuInit"/>, each element binds
/// <paramref name="IterVar"/>, the loop runs while <paramref name="LoopCondition"/> holds, and
/// <paramref name="Result"/> is the value.
/// </summary>
public sealed record CelComprehension(
    long Id,
    string IterVar,
    CelExpr IterRange,
    string AccuVar,
    CelExpr AccuInit,
    CelExpr LoopCondition,
    CelExpr LoopStep,
    CelExpr Result) : CelExpr(Id);

/// <summary>The function names cel-go gives its operators.</summary>
public static class CelOperators
{
    /// <summary><c>a &amp;&amp; b</c>.</summary>
    public const string LogicalAnd = "_&&_";

    /// <summary><c>a || b</c>.</summary>
    public const string LogicalOr = "_||_";

    /// <summary><c>!a</c>.</summary>
    public const string LogicalNot = "!_";

    /// <summary><c>c ? a : b</c>.</summary>
    public const string Conditional = "_?_:_";

    /// <summary><c>a == b</c>.</summary>
    public const string Equal = "_==_";

    /// <summary><c>a != b</c>.</summary>
    public const string NotEqual = "_!=_";

    /// <summary><c>a &lt; b</c>.</summary>
    public const string Less = "_<_";

    /// <summary><c>a &lt;= b</c>.</summary>
    public const string LessEquals = "_<=_";

    /// <summary><c>a &gt; b</c>.</summary>
    public const string Greater = "_>_";

    /// <summary><c>a &gt;= b</c>.</summary>
    public const string GreaterEquals = "_>=_";

    /// <summary><c>a in b</c>.</summary>
    public const string In = "@in";

    /// <summary><c>a + b</c>.</summary>
    public const string Add = "_+_";

    /// <summary><c>a - b</c>.</summary>
    public const string Subtract = "_-_";

    /// <summary><c>a * b</c>.</summary>
    public const string Multiply = "_*_";

    /// <summary><c>a / b</c>.</summary>
    public const string Divide = "_/_";

    /// <summary><c>a % b</c>.</summary>
    public const string Modulo = "_%_";

    /// <summary><c>-a</c>.</summary>
    public const string Negate = "-_";

    /// <summary><c>a[b]</c>.</summary>
    public const string Index = "_[_]";

    /// <summary>The loop condition of <c>all</c> and <c>exists</c>: false only for a definite false.</summary>
    public const string NotStrictlyFalse = "@not_strictly_false";

    /// <summary>The accumulator variable of macro comprehensions.</summary>
    public const string AccumulatorName = "@result";
}
