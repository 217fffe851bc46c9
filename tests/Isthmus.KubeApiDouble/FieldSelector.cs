using System.Text.Json;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// A parsed field selector: <c>field=value</c>, <c>field==value</c> and <c>field!=value</c> joined by commas.
/// The fields a resource accepts are <c>metadata.name</c>, <c>metadata.namespace</c> and its
/// <see cref="ApiResource.SelectableFields"/>; any other field is a 400 BadRequest, as on a real server.
/// </summary>
public sealed class FieldSelector
{
    private readonly record struct Requirement(string[] Path, bool Negated, string Value);

    private readonly List<Requirement> _requirements;

    private FieldSelector(List<Requirement> requirements) => _requirements = requirements;

    /// <summary>The selector that matches everything.</summary>
    public static FieldSelector Everything { get; } = new([]);

    /// <summary>Parses a selector for a resource.</summary>
    public static FieldSelector Parse(string? text, ApiResource resource)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var raw in text.Split(','))
        {
            var term = raw.Trim();
            var negated = false;
            string field;
            string value;
            var notEq = term.IndexOf("!=", StringComparison.Ordinal);
            if (notEq > 0)
            {
                negated = true;
                field = term[..notEq];
                value = term[(notEq + 2)..];
            }
            else
            {
                var eq = term.IndexOf('=');
                if (eq <= 0)
                {
                    throw ApiStatusException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
                }

                field = term[..eq];
                value = term[(eq + 1)..].TrimStart('=');
            }

            field = field.Trim();
            if (field is not ("metadata.name" or "metadata.namespace") && !resource.SelectableFields.Contains(field))
            {
                throw ApiStatusException.BadRequest($"field label not supported: {field}");
            }

            requirements.Add(new Requirement(field.Split('.'), negated, value.Trim()));
        }

        return new FieldSelector(requirements);
    }

    /// <summary>Whether the object satisfies every requirement (a missing field reads as the empty string).</summary>
    public bool Matches(JsonObject obj)
    {
        foreach (var r in _requirements)
        {
            var actual = Read(obj, r.Path);
            if ((actual == r.Value) == r.Negated)
            {
                return false;
            }
        }

        return true;
    }

    private static string Read(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var segment in path)
        {
            node = node is JsonObject o && o.TryGetPropertyValue(segment, out var child) ? child : null;
            if (node is null)
            {
                return "";
            }
        }

        if (node is JsonValue v)
        {
            return v.GetValueKind() switch
            {
                JsonValueKind.String => v.GetValue<string>(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => v.ToJsonString(),
            };
        }

        // A structured value such as events' "source" selects on its component, as the API server does.
        return node is JsonObject source && source["component"] is JsonValue component ? component.GetValue<string>() : "";
    }
}
