using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isthmus.CrdGen;

/// <summary>
/// Writes a JSON tree as block-style YAML, deterministically: keys of schema nodes in a fixed order
/// (description and type first, properties sorted by name), strings plain where YAML reads them back as
/// the same string and JSON-style double-quoted otherwise.
/// </summary>
public static partial class YamlWriter
{
    private static readonly string[] LeadingKeys =
    [
        "apiVersion", "kind", "metadata", "name", "description", "type", "format", "enum", "default",
        "x-kubernetes-int-or-string", "pattern", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "maxProperties",
        "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "required", "properties", "additionalProperties", "items",
    ];

    /// <summary>The YAML text of <paramref name="node"/>, ending in a newline.</summary>
    public static string Write(JsonNode node)
    {
        var sb = new StringBuilder();
        WriteNode(sb, node, 0, inSequence: false, sortKeys: false);
        return sb.ToString().TrimStart('\n');
    }

    private static void WriteNode(StringBuilder sb, JsonNode? node, int indent, bool inSequence, bool sortKeys)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count == 0:
                sb.Append(" {}\n");
                break;
            case JsonObject obj:
                var first = true;
                foreach (var (key, value) in Ordered(obj, sortKeys))
                {
                    if (first && inSequence)
                    {
                        sb.Append(' ');
                    }
                    else
                    {
                        if (first)
                        {
                            sb.Append('\n');
                        }
                        sb.Append(' ', indent);
                    }
                    first = false;
                    sb.Append(Scalar(key)).Append(':');
                    WriteNode(sb, value, indent + 2, inSequence: false, sortKeys: key == "properties");
                }
                break;
            case JsonArray array when array.Count == 0:
                sb.Append(" []\n");
                break;
            case JsonArray array:
                sb.Append('\n');
                foreach (var item in array)
                {
                    sb.Append(' ', indent).Append('-');
                    WriteNode(sb, item, indent + 2, inSequence: true, sortKeys: false);
                }
                break;
            default:
                sb.Append(' ').Append(ScalarValue(node)).Append('\n');
                break;
        }
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Ordered(JsonObject obj, bool sortKeys)
    {
        if (sortKeys)
        {
            return obj.OrderBy(p => p.Key, StringComparer.Ordinal);
        }
        return obj.OrderBy(p => Array.IndexOf(LeadingKeys, p.Key) is var i && i >= 0 ? i : LeadingKeys.Length);
    }

    private static string ScalarValue(JsonNode? node)
    {
        if (node is null)
        {
            return "null";
        }
        var value = node.AsValue();
        return value.GetValueKind() switch
        {
            JsonValueKind.String => Scalar(value.GetValue<string>()),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            _ => throw new CrdGenerationException($"cannot write {value.GetValueKind()} as YAML"),
        };
    }

    private static string Scalar(string text)
    {
        if (PlainSafe().IsMatch(text) && !Reserved().IsMatch(text))
        {
            return text;
        }
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ' or '\u2028' or '\u2029' or '\u0085' or '\uFEFF':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    // Starts with a letter, no characters YAML treats specially in a plain scalar (':', '#', quotes, flow
    // indicators), no trailing space.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9 ._/()+-]*(?<! )$")]
    private static partial Regex PlainSafe();

    // Words YAML 1.1 or 1.2 reads as booleans or null.
    [GeneratedRegex("^(?i:y|n|yes|no|on|off|true|false|null)$")]
    private static partial Regex Reserved();
}
