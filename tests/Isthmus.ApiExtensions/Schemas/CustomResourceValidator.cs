using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Isthmus.ApiExtensions.Expressions;

namespace Isthmus.ApiExtensions.Schemas;

/// <summary>Which part of a custom resource a write changes, and so which part is validated.</summary>
public enum ValidationScope
{
    /// <summary>The whole object (create without a status subresource).</summary>
    Whole,

    /// <summary>Everything but <c>status</c>: a write to the main resource when status is a subresource (status is kept as it was).</summary>
    SkipStatus,

    /// <summary>Only <c>status</c>: a write to the <c>/status</c> subresource (the rest is kept as it was).</summary>
    StatusOnly,
}

/// <summary>
/// Validates a decoded (pruned and defaulted) custom resource against the structural schema of its CRD version,
/// as the API server's custom resource strategy does: the OpenAPI value validations (kube-openapi: type, enum,
/// pattern, format, minimum/maximum, lengths, item and property counts, required), list-type set and map
/// uniqueness, then the <c>x-kubernetes-validations</c> CEL rules. When a blocking error was found (a wrong type,
/// an unsupported enum value, a missing required field, a string or list over its limit) the rules are not
/// evaluated and the API server's note saying so is added. Errors are worded and pathed as the API server words
/// them.
/// </summary>
public static partial class CustomResourceValidator
{
    /// <summary>The error the API server adds when it skips the CEL rules because of blocking schema errors.</summary>
    public const string RulesNotCheckedDetail =
        "some validation rules were not checked because the object was invalid; correct the existing errors to complete validation";

    /// <summary>Validates <paramref name="obj"/>; <paramref name="old"/> is the stored object on an update (for transition rules).</summary>
    public static List<FieldError> Validate(JsonObject schema, JsonObject obj, ValidationScope scope = ValidationScope.Whole, JsonObject? old = null)
    {
        var errors = new List<FieldError>();
        ValidateNode(schema, obj, "", errors, scope, isRoot: true);
        ListTypes(schema, obj, "", errors, scope, isRoot: true);
        if (errors.Any(e => e.Type is FieldErrorType.NotSupported or FieldErrorType.Required or FieldErrorType.TooLong or FieldErrorType.TooMany or FieldErrorType.TypeInvalid))
        {
            errors.Add(FieldError.Invalid("<nil>", "null", RulesNotCheckedDetail));
            return errors;
        }

        Rules(schema, obj, old, "", errors, scope, isRoot: true);
        return errors;
    }

    private static IEnumerable<(string Name, JsonNode? Child)> Children(JsonObject obj, ValidationScope scope, bool isRoot) =>
        obj.Select(p => (p.Key, p.Value)).Where(p => !isRoot || p.Key != "metadata")
            .Where(p => !isRoot || scope == ValidationScope.Whole || (p.Key == "status") == (scope == ValidationScope.StatusOnly));

    private static void ValidateNode(JsonObject schema, JsonNode? value, string path, List<FieldError> errors, ValidationScope scope = ValidationScope.Whole, bool isRoot = false)
    {
        if (value is null)
        {
            return;
        }

        var actual = Json.TypeOf(value);
        if (Json.Bool(schema, "x-kubernetes-int-or-string"))
        {
            if (actual is not ("integer" or "string"))
            {
                errors.Add(FieldError.TypeInvalid(path, actual, $"{path} in body must be of type integer,string: \"{actual}\""));
                return;
            }
        }
        else if (Json.Str(schema, "type") is { } type && actual != type && !(type == "number" && actual == "integer"))
        {
            errors.Add(FieldError.TypeInvalid(path, actual, $"{path} in body must be of type {type}: \"{actual}\""));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(FieldError.NotSupported(path, Json.Scalar(value), allowed.Select(a => a is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : a?.ToJsonString() ?? "null")));
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(schema, obj, path, errors, scope, isRoot);
                break;
            case JsonArray array:
                ValidateArray(schema, array, path, errors);
                break;
            default:
                ValidateScalar(schema, value.AsValue(), path, errors);
                break;
        }
    }

    private static void ValidateObject(JsonObject schema, JsonObject obj, string path, List<FieldError> errors, ValidationScope scope, bool isRoot)
    {
        var properties = schema["properties"] as JsonObject;
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r?.GetValue<string>()).OfType<string>())
            {
                var inScope = !isRoot || scope == ValidationScope.Whole || (name == "status") == (scope == ValidationScope.StatusOnly);
                if (inScope && obj[name] is null)
                {
                    errors.Add(FieldError.Required(Json.Join(path, name)));
                }
            }
        }

        if (Json.Number(schema, "maxProperties") is { } maxProperties && obj.Count > maxProperties)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, (long)maxProperties));
        }

        if (Json.Number(schema, "minProperties") is { } minProperties && obj.Count < minProperties)
        {
            errors.Add(FieldError.Invalid(path, (long)obj.Count, $"{path} in body should have at least {minProperties.ToString(CultureInfo.InvariantCulture)} properties"));
        }

        foreach (var (name, child) in Children(obj, scope, isRoot))
        {
            if (properties?[name] is JsonObject propertySchema)
            {
                ValidateNode(propertySchema, child, Json.Join(path, name), errors);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                ValidateNode(additional, child, Json.Join(path, name), errors);
            }
        }
    }

    private static void ValidateArray(JsonObject schema, JsonArray array, string path, List<FieldError> errors)
    {
        if (Json.Number(schema, "minItems") is { } minItems && array.Count < minItems)
        {
            errors.Add(FieldError.Invalid(path, (long)array.Count, $"{path} in body should have at least {minItems.ToString(CultureInfo.InvariantCulture)} items"));
        }

        if (Json.Number(schema, "maxItems") is { } maxItems && array.Count > maxItems)
        {
            errors.Add(FieldError.TooMany(path, array.Count, (long)maxItems));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                ValidateNode(items, array[i], $"{path}[{i}]", errors);
            }
        }
    }

    private static void ValidateScalar(JsonObject schema, JsonValue value, string path, List<FieldError> errors)
    {
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>();
            var length = text.EnumerateRunes().Count();
            if (Json.Number(schema, "minLength") is { } minLength && length < minLength)
            {
                errors.Add(FieldError.Invalid(path, text, $"{path} in body should be at least {minLength.ToString(CultureInfo.InvariantCulture)} chars long"));
            }

            if (Json.Number(schema, "maxLength") is { } maxLength && length > maxLength)
            {
                errors.Add(FieldError.TooLong(path, (long)maxLength));
            }

            if (Json.Str(schema, "pattern") is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
            {
                errors.Add(FieldError.Invalid(path, text, $"{path} in body should match '{pattern}'"));
            }

            if (Json.Str(schema, "format") == "date-time" && !IsDateTime(text))
            {
                errors.Add(FieldError.Invalid(path, text, $"{path} in body must be of type date-time: {FieldError.Quote(text)}"));
            }
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = Json.Number(value);
            var shown = Json.Scalar(value);
            if (Json.Number(schema, "minimum") is { } minimum)
            {
                var exclusive = Json.Bool(schema, "exclusiveMinimum");
                if (exclusive ? number <= minimum : number < minimum)
                {
                    errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{Format(minimum)}"));
                }
            }

            if (Json.Number(schema, "maximum") is { } maximum)
            {
                var exclusive = Json.Bool(schema, "exclusiveMaximum");
                if (exclusive ? number >= maximum : number > maximum)
                {
                    errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{Format(maximum)}"));
                }
            }

            if (Json.Number(schema, "multipleOf") is { } multipleOf && multipleOf != 0 && Math.IEEERemainder(number, multipleOf) != 0)
            {
                errors.Add(FieldError.Invalid(path, shown, $"{path} in body should be a multiple of {Format(multipleOf)}"));
            }
        }
    }

    private static string Format(double d) => d.ToString("R", CultureInfo.InvariantCulture);

    private static bool IsDateTime(string text) =>
        DateTimeRfc3339().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _);

    /// <summary>x-kubernetes-list-type set and map: no two items (or keys) alike.</summary>
    private static void ListTypes(JsonObject schema, JsonNode? value, string path, List<FieldError> errors, ValidationScope scope = ValidationScope.Whole, bool isRoot = false)
    {
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, child) in Children(obj, scope, isRoot))
                {
                    if (schema["properties"]?[name] is JsonObject property)
                    {
                        ListTypes(property, child, Json.Join(path, name), errors);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        ListTypes(additional, child, Json.Join(path, name), errors);
                    }
                }

                break;
            case JsonArray array:
            {
                var listType = Json.Str(schema, "x-kubernetes-list-type");
                if (listType == "set")
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        if (Enumerable.Range(0, i).Any(j => JsonNode.DeepEquals(array[i], array[j])))
                        {
                            errors.Add(FieldError.Duplicate($"{path}[{i}]", Json.Scalar(array[i])));
                        }
                    }
                }
                else if (listType == "map" && schema["x-kubernetes-list-map-keys"] is JsonArray keys)
                {
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    for (var i = 0; i < array.Count; i++)
                    {
                        var keyObject = new JsonObject();
                        foreach (var key in keys.Select(k => k!.GetValue<string>()))
                        {
                            keyObject[key] = array[i]?[key]?.DeepClone();
                        }

                        if (!seen.Add(keyObject.ToJsonString()))
                        {
                            errors.Add(FieldError.Duplicate($"{path}[{i}]", keyObject));
                        }
                    }
                }

                if (schema["items"] is JsonObject items)
                {
                    for (var i = 0; i < array.Count; i++)
                    {
                        ListTypes(items, array[i], $"{path}[{i}]", errors);
                    }
                }

                break;
            }
        }
    }

    private static void Rules(JsonObject schema, JsonNode? value, JsonNode? old, string path, List<FieldError> errors, ValidationScope scope = ValidationScope.Whole, bool isRoot = false)
    {
        if (value is null)
        {
            return;
        }

        // Rules below the node first is not required by the API server; it reports them in schema order. Children first
        // keeps a node's own rules next to the errors of its fields.
        switch (value)
        {
            case JsonObject obj:
                foreach (var (name, child) in Children(obj, scope, isRoot))
                {
                    var oldChild = (old as JsonObject)?[name];
                    if (schema["properties"]?[name] is JsonObject property)
                    {
                        Rules(property, child, oldChild, Json.Join(path, name), errors);
                    }
                    else if (schema["additionalProperties"] is JsonObject additional)
                    {
                        Rules(additional, child, oldChild, Json.Join(path, name), errors);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Rules(items, array[i], null, $"{path}[{i}]", errors);
                }

                break;
        }

        if (schema["x-kubernetes-validations"] is not JsonArray rules || (isRoot && scope == ValidationScope.StatusOnly))
        {
            return;
        }

        var schemaType = Json.Str(schema, "type") ?? "";
        foreach (var rule in rules.OfType<JsonObject>())
        {
            var text = Json.Str(rule, "rule") ?? "";
            var transition = OldSelf().IsMatch(text);
            if (transition && old is null)
            {
                continue;
            }

            var outcome = CelRuleEvaluator.Evaluate(text, value, transition ? old : null);
            if (outcome.Valid)
            {
                continue;
            }

            if (outcome.Error is { } evaluationError)
            {
                errors.Add(FieldError.Invalid(path, schemaType, $"{evaluationError} evaluating rule: {text.Trim()}"));
                continue;
            }

            var at = Json.Join(path, (Json.Str(rule, "fieldPath") ?? "").TrimStart('.'));
            var message = Json.Str(rule, "message") is { Length: > 0 } m ? m : "failed rule: " + text.Trim();
            if (Json.Str(rule, "messageExpression") is { Length: > 0 } expression
                && CelRuleEvaluator.EvaluateString(expression, value, transition ? old : null) is { Length: > 0 } computed)
            {
                message = computed;
            }

            errors.Add(Json.Str(rule, "reason") switch
            {
                "FieldValueForbidden" => FieldError.Forbidden(at, message),
                "FieldValueRequired" => FieldError.Required(at, message),
                "FieldValueDuplicate" => FieldError.Duplicate(at, schemaType),
                _ => FieldError.Invalid(at, schemaType, message),
            });
        }
    }

    [GeneratedRegex(@"\boldSelf\b")]
    private static partial Regex OldSelf();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeRfc3339();
}
