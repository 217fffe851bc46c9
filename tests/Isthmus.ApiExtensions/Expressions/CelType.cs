namespace Isthmus.ApiExtensions.Expressions;

/// <summary>The kinds of CEL types (cel-go <c>types.Kind</c>).</summary>
public enum CelTypeKind
{
    /// <summary>Checked at run time only.</summary>
    Dyn,

    /// <summary><c>null_type</c>.</summary>
    Null,

    /// <summary><c>bool</c>.</summary>
    Bool,

    /// <summary><c>int</c>.</summary>
    Int,

    /// <summary><c>uint</c>.</summary>
    Uint,

    /// <summary><c>double</c>.</summary>
    Double,

    /// <summary><c>string</c>.</summary>
    String,

    /// <summary><c>bytes</c>.</summary>
    Bytes,

    /// <summary><c>google.protobuf.Duration</c>.</summary>
    Duration,

    /// <summary><c>google.protobuf.Timestamp</c>.</summary>
    Timestamp,

    /// <summary><c>list(T)</c>.</summary>
    List,

    /// <summary><c>map(K, V)</c>.</summary>
    Map,

    /// <summary>An object with declared fields (a schema object; cel-go's struct kind).</summary>
    Struct,

    /// <summary>The type of a type value (<c>type(x)</c>, <c>int</c> used as a value).</summary>
    Type,

    /// <summary>A library value such as <c>net.IP</c> or <c>net.CIDR</c>.</summary>
    Opaque,

    /// <summary>A type parameter of an overload signature.</summary>
    TypeParam,
}

/// <summary>
/// A CEL type as the checker infers it. Types that come from a schema carry their <see cref="DeclType"/>, which
/// knows the fields of objects and the largest size the schema allows.
/// </summary>
public sealed class CelType : IEquatable<CelType>
{
    private CelType(CelTypeKind kind, string name, IReadOnlyList<CelType> parameters, DeclType? decl)
    {
        Kind = kind;
        Name = name;
        Parameters = parameters;
        Decl = decl;
    }

    /// <summary>The kind.</summary>
    public CelTypeKind Kind { get; }

    /// <summary>The type name (<c>string</c>, <c>net.IP</c>, the parameter name of a type parameter).</summary>
    public string Name { get; }

    /// <summary>Element type of a list; key and value types of a map; the type of a type value.</summary>
    public IReadOnlyList<CelType> Parameters { get; }

    /// <summary>The schema declaration behind a type read from a custom resource, if any.</summary>
    public DeclType? Decl { get; }

    /// <summary><c>dyn</c>.</summary>
    public static CelType Dyn { get; } = Simple(CelTypeKind.Dyn, "dyn");

    /// <summary><c>null_type</c>.</summary>
    public static CelType Null { get; } = Simple(CelTypeKind.Null, "null_type");

    /// <summary><c>bool</c>.</summary>
    public static CelType Bool { get; } = Simple(CelTypeKind.Bool, "bool");

    /// <summary><c>int</c>.</summary>
    public static CelType Int { get; } = Simple(CelTypeKind.Int, "int");

    /// <summary><c>uint</c>.</summary>
    public static CelType Uint { get; } = Simple(CelTypeKind.Uint, "uint");

    /// <summary><c>double</c>.</summary>
    public static CelType Double { get; } = Simple(CelTypeKind.Double, "double");

    /// <summary><c>string</c>.</summary>
    public static CelType String { get; } = Simple(CelTypeKind.String, "string");

    /// <summary><c>bytes</c>.</summary>
    public static CelType Bytes { get; } = Simple(CelTypeKind.Bytes, "bytes");

    /// <summary><c>google.protobuf.Duration</c>.</summary>
    public static CelType Duration { get; } = Simple(CelTypeKind.Duration, "google.protobuf.Duration");

    /// <summary><c>google.protobuf.Timestamp</c>.</summary>
    public static CelType Timestamp { get; } = Simple(CelTypeKind.Timestamp, "google.protobuf.Timestamp");

    /// <summary>The Kubernetes IP library's <c>net.IP</c>.</summary>
    public static CelType Ip { get; } = Simple(CelTypeKind.Opaque, "net.IP");

    /// <summary>The Kubernetes CIDR library's <c>net.CIDR</c>.</summary>
    public static CelType Cidr { get; } = Simple(CelTypeKind.Opaque, "net.CIDR");

    /// <summary>The element type of a list, the value type of a map.</summary>
    public CelType Element => Kind switch
    {
        CelTypeKind.List => Parameters[0],
        CelTypeKind.Map => Parameters[1],
        _ => Dyn,
    };

    /// <summary>The key type of a map.</summary>
    public CelType Key => Kind == CelTypeKind.Map ? Parameters[0] : Dyn;

    /// <summary><c>list(element)</c>.</summary>
    public static CelType ListOf(CelType element, DeclType? decl = null) => new(CelTypeKind.List, "list", [element], decl);

    /// <summary><c>map(key, value)</c>.</summary>
    public static CelType MapOf(CelType key, CelType value, DeclType? decl = null) => new(CelTypeKind.Map, "map", [key, value], decl);

    /// <summary>A schema object.</summary>
    public static CelType Struct(DeclType decl) => new(CelTypeKind.Struct, "object", [], decl);

    /// <summary>The type of the type value <paramref name="of"/>.</summary>
    public static CelType TypeOf(CelType of) => new(CelTypeKind.Type, "type", [of], null);

    /// <summary>A type parameter.</summary>
    public static CelType Param(string name) => new(CelTypeKind.TypeParam, name, [], null);

    /// <summary>The same type bound to a schema declaration (for sizes and fields).</summary>
    public CelType WithDecl(DeclType decl) => new(Kind, Name, Parameters, decl);

    /// <summary>Whether the type has a fixed size (cel-go <c>isScalar</c>): bool, numbers, durations, timestamps.</summary>
    public bool IsScalar => Kind is CelTypeKind.Bool or CelTypeKind.Int or CelTypeKind.Uint or CelTypeKind.Double
        or CelTypeKind.Duration or CelTypeKind.Timestamp;

    private static CelType Simple(CelTypeKind kind, string name) => new(kind, name, [], null);

    /// <summary>Structural equality, ignoring schema declarations.</summary>
    public bool Equals(CelType? other) =>
        other is not null && Kind == other.Kind && Name == other.Name
        && (Kind != CelTypeKind.Struct || ReferenceEquals(Decl, other.Decl))
        && Parameters.Count == other.Parameters.Count && Parameters.Zip(other.Parameters).All(p => p.First.Equals(p.Second));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is CelType t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, Name, Parameters.Count);

    /// <summary>The type as cel-go prints it: <c>list(string)</c>, <c>map(string, int)</c>.</summary>
    public override string ToString() => Kind switch
    {
        CelTypeKind.List => $"list({Parameters[0]})",
        CelTypeKind.Map => $"map({Parameters[0]}, {Parameters[1]})",
        CelTypeKind.Type => $"type({Parameters[0]})",
        _ => Name,
    };
}
