using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// A parsed label selector in the query-string syntax: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>, <c>a in (x,y)</c>,
/// <c>a notin (x,y)</c>, <c>a</c> (exists) and <c>!a</c> (does not exist), joined by commas (AND).
/// </summary>
public sealed class LabelSelector
{
    private enum Op
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private readonly record struct Requirement(string Key, Op Operator, IReadOnlyList<string> Values);

    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    /// <summary>The selector that matches everything.</summary>
    public static LabelSelector Everything { get; } = new([]);

    /// <summary>Parses a selector; a syntax error is a 400 BadRequest.</summary>
    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var term in SplitTopLevel(text))
        {
            requirements.Add(ParseTerm(term.Trim(), text));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>Whether an object's <c>metadata.labels</c> satisfy every requirement.</summary>
    public bool Matches(JsonObject obj)
    {
        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var r in _requirements)
        {
            string? value = labels is not null && labels.TryGetPropertyValue(r.Key, out var node) && node is JsonValue text
                && text.TryGetValue<string>(out var s) ? s : null;
            var ok = r.Operator switch
            {
                Op.Equals => value == r.Values[0],
                Op.NotEquals => value != r.Values[0],
                Op.In => value is not null && r.Values.Contains(value),
                Op.NotIn => value is null || !r.Values.Contains(value),
                Op.Exists => value is not null,
                Op.DoesNotExist => value is null,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseTerm(string term, string whole)
    {
        if (term.Length == 0)
        {
            throw ApiStatusException.BadRequest($"unable to parse requirement: found empty term in selector \"{whole}\"");
        }

        if (term[0] == '!')
        {
            return new Requirement(ValidKey(term[1..].Trim(), whole), Op.DoesNotExist, []);
        }

        var notEq = term.IndexOf("!=", StringComparison.Ordinal);
        if (notEq > 0)
        {
            return new Requirement(ValidKey(term[..notEq].Trim(), whole), Op.NotEquals, [term[(notEq + 2)..].Trim()]);
        }

        var eq = term.IndexOf('=');
        if (eq > 0)
        {
            var valueStart = eq + 1 < term.Length && term[eq + 1] == '=' ? eq + 2 : eq + 1;
            return new Requirement(ValidKey(term[..eq].Trim(), whole), Op.Equals, [term[valueStart..].Trim()]);
        }

        var paren = term.IndexOf('(');
        if (paren > 0)
        {
            if (!term.EndsWith(')'))
            {
                throw ApiStatusException.BadRequest($"unable to parse requirement: missing ')' in selector \"{whole}\"");
            }

            var head = term[..paren].Trim();
            var values = term[(paren + 1)..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (head.EndsWith(" notin", StringComparison.Ordinal))
            {
                return new Requirement(ValidKey(head[..^6].Trim(), whole), Op.NotIn, values);
            }

            if (head.EndsWith(" in", StringComparison.Ordinal))
            {
                return new Requirement(ValidKey(head[..^3].Trim(), whole), Op.In, values);
            }

            throw ApiStatusException.BadRequest($"unable to parse requirement: unknown operator in \"{term}\"");
        }

        return new Requirement(ValidKey(term, whole), Op.Exists, []);
    }

    private static string ValidKey(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or '=' or '!' or ','))
        {
            throw ApiStatusException.BadRequest($"unable to parse requirement: invalid label key \"{key}\" in selector \"{whole}\"");
        }

        return key;
    }
}
