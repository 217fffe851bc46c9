namespace Isthmus.Api.Schema;

/// <summary>
/// How server-side apply merges a list (<c>x-kubernetes-list-type</c>): <c>atomic</c>, <c>set</c> (unique
/// scalars) or <c>map</c> (objects keyed by <see cref="MapKeys"/>, <c>x-kubernetes-list-map-keys</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ListTypeAttribute(string type, params string[] mapKeys) : Attribute
{
    /// <summary>atomic, set or map.</summary>
    public string Type { get; } = type;

    /// <summary>For map lists: the item fields that identify an item.</summary>
    public IReadOnlyList<string> MapKeys { get; } = mapKeys;
}
