using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Writes a JSON tree as block-style YAML. Every string value is double-quoted (JSON escapes are valid YAML
/// double-quoted escapes), so a value such as <c>"500"</c>, <c>"true"</c> or <c>"null"</c> stays a string;
/// numbers and booleans are written plain. The output reads back to the same JSON tree with any YAML 1.2 parser.
/// </summary>
internal static partial class YamlWriter
{
    public static void WriteDocument(StringBuilder output, JsonObject document)
    {
        output.Append("---\n");
        WriteObject(output, document, 0);
    }

    private static void WriteObject(StringBuilder output, JsonObject obj, int indent)
    {
        foreach (var (key, value) in obj)
        {
            output.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(output, value, indent);
        }
    }

    private static void WriteValue(StringBuilder output, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                output.Append(" {}\n");
                break;
            case JsonObject child:
                output.Append('\n');
                WriteObject(output, child, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                output.Append(" []\n");
                break;
            case JsonArray array:
                output.Append('\n');
                foreach (var item in array)
                {
                    output.Append(' ', indent).Append("- ");
                    if (item is JsonObject { Count: > 0 } itemObject)
                    {
                        // The first key follows "- ", the others align under it.
                        var inner = new StringBuilder();
                        WriteObject(inner, itemObject, indent + 2);
                        output.Append(inner.ToString().AsSpan(indent + 2));
                    }
                    else
                    {
                        var inner = new StringBuilder();
                        WriteValue(inner, item, indent + 2);
                        output.Append(inner.ToString().AsSpan(1));
                    }
                }
                break;
            default:
                output.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(JsonNode? value)
    {
        if (value is null)
        {
            return "null";
        }
        return value.GetValueKind() switch
        {
            JsonValueKind.String => Quote(value.GetValue<string>()),
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => "null",
        };
    }

    private static string Key(string key) => PlainKey().IsMatch(key) && key is not ("true" or "false" or "null" or "y" or "n" or "yes" or "no" or "on" or "off") ? key : Quote(key);

    private static string Quote(string text) => JsonSerializer.Serialize(text, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_./-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainKey();

}
