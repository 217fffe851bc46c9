using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Isthmus.Api.Manifests;

/// <summary>
/// Turns a YAML node tree into a JSON node tree, so that System.Text.Json (and the same JSON names the
/// API server uses) reads the manifests. Plain scalars follow the YAML 1.2 core schema: <c>null</c>,
/// <c>~</c> and empty are null, <c>true</c>/<c>false</c> booleans, JSON-style numbers numbers (their text
/// kept exactly); everything else, and every quoted or block scalar, is a string.
/// </summary>
internal static partial class YamlToJson
{
    /// <summary>Bound on the nodes of one document, so that alias expansion cannot exhaust memory.</summary>
    private const int MaxNodes = 200_000;

    public static JsonNode? Convert(YamlNode node, out string? error)
    {
        var budget = MaxNodes;
        error = null;
        try
        {
            return ConvertNode(node, "", ref budget);
        }
        catch (YamlToJsonException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static JsonNode? ConvertNode(YamlNode node, string path, ref int budget)
    {
        if (--budget < 0)
        {
            throw new YamlToJsonException($"document has more than {MaxNodes} nodes");
        }
        switch (node)
        {
            case YamlMappingNode mapping:
            {
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new YamlToJsonException($"{Describe(path)}: mapping keys must be plain strings");
                    }
                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (obj.ContainsKey(key))
                    {
                        throw new YamlToJsonException($"{Describe(childPath)}: duplicate key");
                    }
                    obj[key] = ConvertNode(valueNode, childPath, ref budget);
                }
                return obj;
            }
            case YamlSequenceNode sequence:
            {
                var array = new JsonArray();
                var i = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(ConvertNode(item, $"{path}[{i}]", ref budget));
                    i++;
                }
                return array;
            }
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new YamlToJsonException($"{Describe(path)}: unsupported YAML node");
        }
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        var tag = scalar.Tag.IsEmpty ? null : scalar.Tag.Value;
        if (tag is "tag:yaml.org,2002:str")
        {
            return JsonValue.Create(text);
        }
        if (scalar.Style != ScalarStyle.Plain && tag is null)
        {
            return JsonValue.Create(text);
        }
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        if (JsonNumber().IsMatch(text))
        {
            // JsonNode.Parse keeps the number's text exactly, so a string field reads back what was written.
            return JsonNode.Parse(text);
        }
        return JsonValue.Create(text);
    }

    private static string Describe(string path) => path.Length == 0 ? "document" : $"'{path}'";

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex JsonNumber();

    private sealed class YamlToJsonException(string message) : Exception(message);
}
