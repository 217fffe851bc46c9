using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// The subset of Kubernetes JSONPath used by printer columns: <c>.a.b</c>, <c>[n]</c>, <c>[*]</c> and
/// <c>[?(@.field=="value")]</c>. Anything else yields no value.
/// </summary>
public static class JsonPathLite
{
    /// <summary>Every node the path reaches from <paramref name="root"/>.</summary>
    public static IReadOnlyList<JsonNode?> Evaluate(JsonNode root, string path)
    {
        IEnumerable<JsonNode?> current = [root];
        var i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = i + 1;
                while (end < path.Length && path[end] is not ('.' or '['))
                {
                    end++;
                }

                var name = path[(i + 1)..end];
                current = current.Select(n => n is JsonObject o && o.TryGetPropertyValue(name, out var c) ? c : null).Where(n => n is not null).ToList();
                i = end;
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                if (path.AsSpan(i).StartsWith("[?("))
                {
                    end = path.IndexOf(")]", i, StringComparison.Ordinal) + 1;
                }

                if (end <= i)
                {
                    return [];
                }

                var inner = path[(i + 1)..end];
                current = current.SelectMany(n => Index(n, inner)).ToList();
                i = end + 1;
            }
            else
            {
                return [];
            }
        }

        return current.ToList();
    }

    private static IEnumerable<JsonNode?> Index(JsonNode? node, string inner)
    {
        if (node is not JsonArray array)
        {
            return [];
        }

        if (inner == "*")
        {
            return array;
        }

        if (int.TryParse(inner, out var index))
        {
            return index >= 0 && index < array.Count ? [array[index]] : [];
        }

        // ?(@.field=="value")
        if (inner.StartsWith("?(@.", StringComparison.Ordinal) && inner.EndsWith(')') && inner.IndexOf("==", StringComparison.Ordinal) is > 0 and var eq)
        {
            var field = inner[4..eq];
            var expected = inner[(eq + 2)..^1].Trim('"', '\'');
            return array.Where(e => e is JsonObject o && o[field] is JsonValue v && v.TryGetValue<string>(out var s) && s == expected);
        }

        return [];
    }
}
