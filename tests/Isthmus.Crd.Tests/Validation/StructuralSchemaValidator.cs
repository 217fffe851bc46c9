using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isthmus.Crd.Tests.Validation;

/// <summary>
/// What the API server does with a custom resource before storing it, for the subset of OpenAPI v3 that
/// structural schemas use: apply <c>default</c>s (then defaults inside defaulted objects), reject unknown
/// fields (kubectl's strict field validation), check <c>type</c>, <c>required</c>, <c>enum</c>,
/// <c>pattern</c>, <c>minimum</c>/<c>maximum</c>, lengths and item counts, <c>x-kubernetes-int-or-string</c>
/// and <c>x-kubernetes-list-type</c> uniqueness, then evaluate every <c>x-kubernetes-validations</c> rule on
/// the defaulted object. Errors are worded and pathed as the API server words them
/// (<c>spec.peer.port: Invalid value: 70000: ...</c>).
/// </summary>
internal static class StructuralSchemaValidator
{
    /// <summary>Validates <paramref name="value"/> (defaulted in place) against <paramref name="schema"/>; returns every error.</summary>
    public static IReadOnlyList<string> Validate(JsonObject schema, JsonNode value)
    {
        var errors = new List<string>();
        ApplyDefaults(schema, value);
        ValidateNode(schema, value, "", errors, isRoot: true);
        return errors;
    }

    /// <summary>Fills in absent fields that have a default, top-down, so that defaulted objects get their own defaults.</summary>
    public static void ApplyDefaults(JsonObject schema, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, propertySchema) in properties)
                {
                    if (!obj.ContainsKey(name) && propertySchema?["default"] is { } dflt)
                    {
                        obj[name] = dflt.DeepClone();
                    }
                    if (obj[name] is { } child)
                    {
                        ApplyDefaults(propertySchema!.AsObject(), child);
                    }
                }
                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject additional:
                foreach (var (_, child) in obj)
                {
                    ApplyDefaults(additional, child);
                }
                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array)
                {
                    ApplyDefaults(items, item);
                }
                break;
        }
    }

    private static void ValidateNode(JsonObject schema, JsonNode? value, string path, List<string> errors, bool isRoot = false)
    {
        if (value is null)
        {
            // The API server prunes nulls of non-nullable fields: the same as absent.
            return;
        }
        var before = errors.Count;
        var intOrString = schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true;
        var type = schema["type"]?.GetValue<string>();
        var actual = TypeOf(value);
        if (intOrString)
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add($"{path}: Invalid value: \"{actual}\": {path} in body must be of type integer,string: \"{actual}\"");
                return;
            }
        }
        else if (type is not null && actual != type && !(type == "number" && actual == "integer"))
        {
            errors.Add($"{path}: Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\"");
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add($"{path}: Unsupported value: {Show(value)}: supported values: {string.Join(", ", allowed.Select(Show))}");
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(schema, obj, path, errors, isRoot);
                break;
            case JsonArray array:
                ValidateArray(schema, array, path, errors);
                break;
            default:
                ValidateScalar(schema, value.AsValue(), path, errors);
                break;
        }

        // Rules run on values that passed the schema below them, as the API server's rules see typed values.
        if (errors.Count == before && schema["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules.OfType<JsonObject>())
            {
                var outcome = CelRuleEvaluator.Evaluate(rule["rule"]!.GetValue<string>(), value);
                if (outcome.Valid)
                {
                    continue;
                }
                var fieldPath = rule["fieldPath"]?.GetValue<string>() ?? "";
                var at = Join(path, fieldPath.TrimStart('.'));
                errors.Add(outcome.Error is null
                    ? $"{at}: Invalid value: \"{actual}\": {rule["message"]?.GetValue<string>() ?? "failed rule: " + rule["rule"]}"
                    : $"{at}: Invalid value: \"{actual}\": {outcome.Error}");
            }
        }
    }

    private static void ValidateObject(JsonObject schema, JsonObject obj, string path, List<string> errors, bool isRoot)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()))
            {
                if (obj[name] is null)
                {
                    errors.Add($"{Join(path, name)}: Required value");
                }
            }
        }
        foreach (var (name, child) in obj)
        {
            if (properties?[name] is JsonObject propertySchema)
            {
                if (isRoot && name == "metadata")
                {
                    continue;
                }
                ValidateNode(propertySchema, child, Join(path, name), errors);
            }
            else if (additional is not null)
            {
                ValidateNode(additional, child, Join(path, name), errors);
            }
            else if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() != true)
            {
                errors.Add($"unknown field \"{Join(path, name)}\"");
            }
        }
    }

    private static void ValidateArray(JsonObject schema, JsonArray array, string path, List<string> errors)
    {
        if (schema["minItems"] is { } minItems && array.Count < Number(minItems))
        {
            errors.Add($"{path}: Invalid value: {array.Count}: {path} in body should have at least {minItems} items");
        }
        if (schema["maxItems"] is { } maxItems && array.Count > Number(maxItems))
        {
            errors.Add($"{path}: Too many: {array.Count}: must have at most {maxItems} items");
        }
        var listType = schema["x-kubernetes-list-type"]?.GetValue<string>();
        if (listType is "set")
        {
            for (var i = 0; i < array.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(array[i], array[j]))
                    {
                        errors.Add($"{path}[{i}]: Duplicate value: {Show(array[i])}");
                    }
                }
            }
        }
        if (listType is "map" && schema["x-kubernetes-list-map-keys"] is JsonArray keys)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < array.Count; i++)
            {
                var key = string.Join("\u0000", keys.Select(k => array[i]?[k!.GetValue<string>()]?.ToJsonString() ?? ""));
                if (!seen.Add(key))
                {
                    errors.Add($"{path}[{i}]: Duplicate value: {array[i]!.ToJsonString()}");
                }
            }
        }
        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                ValidateNode(items, array[i], $"{path}[{i}]", errors);
            }
        }
    }

    private static void ValidateScalar(JsonObject schema, JsonValue value, string path, List<string> errors)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var length = new StringInfo(text).LengthInTextElements;
            if (schema["minLength"] is { } minLength && length < Number(minLength))
            {
                errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should be at least {minLength} chars long");
            }
            if (schema["maxLength"] is { } maxLength && length > Number(maxLength))
            {
                errors.Add($"{path}: Too long: may not be more than {maxLength} bytes");
            }
            if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body should match '{pattern}'");
            }
            if (schema["format"]?.GetValue<string>() == "date-time" && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                errors.Add($"{path}: Invalid value: {Show(value)}: {path} in body must be of type date-time: {Show(value)}");
            }
        }
        if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = Number(value);
            if (schema["minimum"] is { } minimum && number < Number(minimum))
            {
                errors.Add($"{path}: Invalid value: {value.ToJsonString()}: {path} in body should be greater than or equal to {minimum}");
            }
            if (schema["maximum"] is { } maximum && number > Number(maximum))
            {
                errors.Add($"{path}: Invalid value: {value.ToJsonString()}: {path} in body should be less than or equal to {maximum}");
            }
        }
    }

    /// <summary>Any JSON number as a double, whatever CLR type backs the node.</summary>
    private static double Number(JsonNode node) => double.Parse(node.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static string TypeOf(JsonNode value) => value switch
    {
        JsonObject => "object",
        JsonArray => "array",
        _ => value.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Number => value.AsValue().TryGetValue<long>(out _) || IsIntegral(value) ? "integer" : "number",
            _ => "null",
        },
    };

    private static bool IsIntegral(JsonNode value) =>
        double.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && Math.Floor(d) == d && !value.ToJsonString().Contains('.');

    private static string Show(JsonNode? value) => value?.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "null";

    private static string Join(string path, string name) =>
        name.Length == 0 ? path : path.Length == 0 ? name : path + "." + name;
}
