using System.Text.Json.Nodes;

namespace Isthmus.CrdGen;

/// <summary>
/// The key order of the generated CRD files, so that they read as CRDs usually do and diff well: in every object
/// the keys of <see cref="LeadingKeys"/> first, in that order (description and type before the rest of a schema),
/// then the others as the tree has them; the schemas under a <c>properties</c> key sorted by property name.
/// </summary>
public static class CrdKeyOrder
{
    private static readonly string[] LeadingKeys =
    [
        "apiVersion", "kind", "metadata", "name", "description", "type", "format", "enum", "default",
        "x-kubernetes-int-or-string", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "maxProperties",
        "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "required", "properties", "additionalProperties", "items",
    ];

    /// <summary>A copy of <paramref name="node"/> with every object's keys in CRD order.</summary>
    public static JsonNode? Apply(JsonNode? node) => Apply(node, sortKeys: false);

    private static JsonNode? Apply(JsonNode? node, bool sortKeys) => node switch
    {
        JsonObject obj => new JsonObject(Ordered(obj, sortKeys).Select(p => KeyValuePair.Create(p.Key, Apply(p.Value, sortKeys: p.Key == "properties")))),
        JsonArray array => new JsonArray(array.Select(item => Apply(item, sortKeys: false)).ToArray()),
        _ => node?.DeepClone(),
    };

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Ordered(JsonObject obj, bool sortKeys) =>
        sortKeys
            ? obj.OrderBy(p => p.Key, StringComparer.Ordinal)
            : obj.OrderBy(p => Array.IndexOf(LeadingKeys, p.Key) is var i && i >= 0 ? i : LeadingKeys.Length);
}
