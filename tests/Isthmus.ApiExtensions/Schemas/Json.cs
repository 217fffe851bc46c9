using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Isthmus.ApiExtensions.Schemas;

/// <summary>Small readers over JSON schema nodes and values.</summary>
internal static class Json
{
    public static string? Str(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static bool Bool(JsonObject? o, string name) => o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static double? Number(JsonObject? o, string name) =>
        o?[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? Number(v) : null;

    public static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The JSON type of a value as OpenAPI names it: object, array, string, integer, number, boolean, null.</summary>
    public static string TypeOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => IsIntegral(value) ? "integer" : "number",
            _ => "null",
        },
    };

    /// <summary>A value as a CLR primitive for messages: string, long, double, bool, or the node.</summary>
    public static object? Scalar(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when IsIntegral(v) && long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => l,
            JsonValueKind.Number => Number(v),
            _ => null,
        },
        _ => value,
    };

    private static bool IsIntegral(JsonNode value)
    {
        var text = value.ToJsonString();
        return !text.Contains('.') && !text.Contains('e') && !text.Contains('E');
    }

    public static string Join(string path, string name) =>
        name.Length == 0 ? path : path.Length == 0 ? name : path + "." + name;
}
