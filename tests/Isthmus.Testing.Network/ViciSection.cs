namespace Isthmus.Testing.Network;

/// <summary>
/// A vici message section as printed by <c>swanctl --pretty</c>: scalar values, lists and named subsections,
/// in order.
/// </summary>
public sealed class ViciSection
{
    /// <summary>Section name (for a top-level message: e.g. <c>list-sa event</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Scalar key/value pairs.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    /// <summary>List values (<c>key = [ ... ]</c>).</summary>
    public Dictionary<string, List<string>> Lists { get; } = new(StringComparer.Ordinal);

    /// <summary>Subsections in output order.</summary>
    public List<ViciSection> Sections { get; } = [];

    /// <summary>A scalar value or null.</summary>
    public string? Get(string key) => Values.TryGetValue(key, out string? value) ? value : null;

    /// <summary>A list value, empty when absent.</summary>
    public IReadOnlyList<string> GetList(string key) => Lists.TryGetValue(key, out List<string>? list) ? list : [];

    /// <summary>The first subsection with this name, or null.</summary>
    public ViciSection? Section(string name) => Sections.FirstOrDefault(s => s.Name == name);
}
