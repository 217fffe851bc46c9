using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Isthmus.ApiExtensions.Manifests;

/// <summary>
/// Reads the objects of multi-document YAML as JSON, as kubectl sends them: plain scalars follow the YAML 1.2 core
/// schema (<c>null</c>/<c>~</c>/empty, <c>true</c>/<c>false</c>, integers, decimals); quoted and block scalars are
/// strings; empty documents (a leading <c>---</c>) are skipped.
/// </summary>
public static partial class YamlManifests
{
    /// <summary>The objects of the YAML file at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">The text is not YAML or a document is not a mapping.</exception>
    public static IReadOnlyList<JsonObject> Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>The objects of YAML <paramref name="text"/>.</summary>
    /// <exception cref="FormatException">The text is not YAML or a document is not a mapping.</exception>
    public static IReadOnlyList<JsonObject> Parse(string text, string source = "<input>")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new FormatException($"{source}:{e.Start.Line}: {e.Message}", e);
        }

        var objects = new List<JsonObject>();
        foreach (var document in stream.Documents)
        {
            switch (Convert(document.RootNode))
            {
                case null:
                    break;
                case JsonObject obj:
                    objects.Add(obj);
                    break;
                default:
                    throw new FormatException($"{source}:{document.RootNode.Start.Line}: a document is not a mapping");
            }
        }

        return objects;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p =>
            KeyValuePair.Create((p.Key as YamlScalarNode)?.Value ?? throw new FormatException($"line {p.Key.Start.Line}: a mapping key is not a scalar"), Convert(p.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new FormatException($"line {node.Start.Line}: unsupported YAML node"),
    };

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return JsonValue.Create(text.Equals("true", StringComparison.OrdinalIgnoreCase));
        }

        if (Integer().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (Decimal().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(text);
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex Integer();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Decimal();
}
