using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isthmus.Api.Manifests;

/// <summary>
/// Writes a JSON tree as block-style YAML: the one YAML writer of Isthmus, for the generated CRDs
/// (Isthmus.CrdGen) and the node configs the operator renders for the IKE daemon. Keys are written in the
/// order of the tree (a caller that wants another order builds the tree in it); a sequence is indented under
/// its key, and an object in a sequence starts on the <c>- </c> line.
/// <para>
/// One quoting rule, for keys and values alike, so that the text reads back as the same tree with YamlDotNet
/// (<see cref="ManifestLoader"/>, YAML 1.2 core schema) and with the Kubernetes decoder (sigs.k8s.io/yaml,
/// which resolves plain scalars by YAML 1.1: <c>yes</c>, <c>on</c>, <c>y</c> are booleans there, <c>0777</c> an
/// octal number): a string is written plain only when it starts with an ASCII letter, holds nothing but ASCII
/// letters, digits, spaces and <c>. _ / ( ) + -</c>, does not end in a space, and is not one of the words either
/// YAML version reads as a boolean or null (<c>y n yes no on off true false null</c>, in any case). Every other
/// string (empty, numeric-looking, with <c>:</c> or <c>#</c>, multi-line, non-ASCII) is double-quoted with JSON-style
/// escapes, which YAML double-quoted scalars share. Numbers, booleans and null are written plain.
/// </para>
/// </summary>
public static partial class YamlWriter
{
    /// <summary>The YAML text of <paramref name="node"/>, ending in a newline.</summary>
    public static string Write(JsonNode? node)
    {
        if (node is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            var sb = new StringBuilder();
            WriteNode(sb, node, 0, inSequence: false);
            return sb.ToString().TrimStart('\n');
        }
        return node switch
        {
            JsonObject => "{}\n",
            JsonArray => "[]\n",
            _ => ScalarValue(node) + "\n",
        };
    }

    /// <summary>Appends <paramref name="document"/> as a YAML document of its own: <c>---</c>, then its text.</summary>
    public static void WriteDocument(StringBuilder output, JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Append("---\n").Append(Write(document));
    }

    /// <summary><paramref name="text"/> as a YAML scalar: plain where both YAML readers take it for the same string, else double-quoted.</summary>
    public static string Scalar(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (PlainSafe().IsMatch(text) && !Reserved().IsMatch(text))
        {
            return text;
        }
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                // Control characters, DEL and the C1 block are not printable in YAML; U+0085, U+2028 and U+2029 are
                // line breaks a reader would fold; U+FEFF is a byte order mark. All are written as escapes.
                case < ' ' or (>= '\u007F' and <= '\u009F') or '\u2028' or '\u2029' or '\uFEFF' or '\uFFFE' or '\uFFFF':
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static void WriteNode(StringBuilder sb, JsonNode? node, int indent, bool inSequence)
    {
        switch (node)
        {
            case JsonObject { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case JsonObject obj:
                var first = true;
                foreach (var (key, value) in obj)
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
                    WriteNode(sb, value, indent + 2, inSequence: false);
                }
                break;
            case JsonArray { Count: 0 }:
                sb.Append(" []\n");
                break;
            case JsonArray array:
                sb.Append('\n');
                foreach (var item in array)
                {
                    sb.Append(' ', indent).Append('-');
                    WriteNode(sb, item, indent + 2, inSequence: true);
                }
                break;
            default:
                sb.Append(' ').Append(ScalarValue(node)).Append('\n');
                break;
        }
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
            JsonValueKind.String => Scalar(value.TryGetValue<string>(out var text) ? text : JsonSerializer.Deserialize<string>(value.ToJsonString())!),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Number => value.ToJsonString(),
            var kind => throw new ArgumentException($"cannot write a JSON {kind} as a YAML scalar"),
        };
    }

    // Starts with a letter; no character YAML treats specially in a plain scalar (':', '#', quotes, flow
    // indicators, '&', '*', '!', '%', '@', '`'), nothing outside ASCII, no trailing space. \z, not $: a $ would also
    // match before a final line feed and let "text\n" through.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9 ._/()+-]*(?<! )\z", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    // Words YAML 1.1 (the Kubernetes decoder) or YAML 1.2 reads as booleans or null.
    [GeneratedRegex(@"^(?i:y|n|yes|no|on|off|true|false|null)\z", RegexOptions.CultureInvariant)]
    private static partial Regex Reserved();
}
