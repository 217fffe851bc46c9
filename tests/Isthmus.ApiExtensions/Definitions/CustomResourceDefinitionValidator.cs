using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Isthmus.ApiExtensions.Expressions;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.ApiExtensions.Definitions;

/// <summary>
/// Validates an <c>apiextensions.k8s.io/v1</c> CustomResourceDefinition as the API server does on create and
/// update: names, scope and versions; each version's schema (required, structural: a type on every node, no
/// <c>$ref</c>, <c>definitions</c>, <c>patternProperties</c> or <c>uniqueItems</c>, properties and additionalProperties
/// exclusive, list-type rules, only name and generateName under the root metadata, defaults that validate); then
/// the <c>x-kubernetes-validations</c> rules, which must compile to a bool and stay within the static cost budget per
/// rule and per schema (<see cref="CostBudget"/>). Errors carry the API server's field paths: a schema shared by all
/// versions is reported under <c>spec.validation.openAPIV3Schema</c>, as the server's internal form holds it.
/// </summary>
public static partial class CustomResourceDefinitionValidator
{
    private static readonly string[] OpenApiTypes = ["array", "boolean", "integer", "number", "object", "string"];
    private static readonly string[] PrinterColumnTypes = ["boolean", "date", "integer", "number", "string"];
    private static readonly string[] RuleReasons = ["FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"];

    /// <summary>The errors of a CRD being created.</summary>
    public static List<FieldError> ValidateCreate(JsonObject crd) => Validate(crd, old: null);

    /// <summary>
    /// The errors of an update of <paramref name="old"/> to <paramref name="crd"/>: those of a create, except that the
    /// per-rule cost limit is not applied to a version whose schema did not change, plus the immutable group and
    /// plural (and scope and kind once the names were accepted).
    /// </summary>
    public static List<FieldError> ValidateUpdate(JsonObject crd, JsonObject old)
    {
        var errors = Validate(crd, old);
        foreach (var (field, path) in new[] { ("group", "spec.group"), ("plural", "spec.names.plural"), ("scope", "spec.scope"), ("kind", "spec.names.kind") })
        {
            var now = field is "plural" or "kind" ? Json.Str(crd["spec"]?["names"] as JsonObject, field) : Json.Str(crd["spec"] as JsonObject, field);
            var before = field is "plural" or "kind" ? Json.Str(old["spec"]?["names"] as JsonObject, field) : Json.Str(old["spec"] as JsonObject, field);
            if (now != before)
            {
                errors.Add(FieldError.Invalid(path, now ?? "", "field is immutable"));
            }
        }

        return errors;
    }

    /// <summary>The field path of the schema of version <paramref name="index"/>, as the API server reports it.</summary>
    public static string SchemaPath(JsonObject crd, int index) =>
        HasIdenticalSchemas(crd) ? "spec.validation.openAPIV3Schema" : $"spec.versions[{index}].schema.openAPIV3Schema";

    private static List<FieldError> Validate(JsonObject crd, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject;
        var names = spec?["names"] as JsonObject;
        var group = Json.Str(spec, "group");
        var plural = Json.Str(names, "plural");

        var name = Json.Str(crd["metadata"] as JsonObject, "name");
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            if (!Dns1123Subdomain().IsMatch(name) || name.Length > 253)
            {
                errors.Add(FieldError.Invalid("metadata.name", name, Dns1123SubdomainMessage));
            }

            if (name != $"{plural}.{group}")
            {
                errors.Add(FieldError.Invalid("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
            }
        }

        if (spec is null)
        {
            errors.Add(FieldError.Required("spec"));
            return errors;
        }

        if (string.IsNullOrEmpty(group))
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        else if (!Dns1123Subdomain().IsMatch(group))
        {
            errors.Add(FieldError.Invalid("spec.group", group, Dns1123SubdomainMessage));
        }
        else if (!group.Contains('.'))
        {
            errors.Add(FieldError.Invalid("spec.group", group, "should be a domain with at least one dot"));
        }

        switch (Json.Str(spec, "scope"))
        {
            case null or "":
                errors.Add(FieldError.Required("spec.scope"));
                break;
            case "Cluster" or "Namespaced":
                break;
            case var other:
                errors.Add(FieldError.NotSupported("spec.scope", other, ["Cluster", "Namespaced"]));
                break;
        }

        ValidateNames(names, errors);
        ValidateVersions(crd, spec, old, errors);
        return errors;
    }

    private static void ValidateNames(JsonObject? names, List<FieldError> errors)
    {
        if (names is null)
        {
            errors.Add(FieldError.Required("spec.names.plural"));
            errors.Add(FieldError.Required("spec.names.kind"));
            return;
        }

        void Label(string field, string? value, bool required, bool mixedCase = false)
        {
            if (string.IsNullOrEmpty(value))
            {
                if (required)
                {
                    errors.Add(FieldError.Required("spec.names." + field));
                }

                return;
            }

            var checkedValue = mixedCase ? value.ToLowerInvariant() : value;
            if (!Dns1035Label().IsMatch(checkedValue) || checkedValue.Length > 63)
            {
                errors.Add(FieldError.Invalid("spec.names." + field, value, (mixedCase ? "may have mixed case, but should otherwise match: " : "") + Dns1035LabelMessage));
            }
        }

        Label("plural", Json.Str(names, "plural"), required: true);
        Label("singular", Json.Str(names, "singular"), required: false);
        Label("kind", Json.Str(names, "kind"), required: true, mixedCase: true);
        Label("listKind", Json.Str(names, "listKind"), required: false, mixedCase: true);
        var shortNames = names["shortNames"] as JsonArray ?? [];
        for (var i = 0; i < shortNames.Count; i++)
        {
            Label($"shortNames[{i}]", shortNames[i]?.GetValue<string>(), required: true);
        }

        var categories = names["categories"] as JsonArray ?? [];
        for (var i = 0; i < categories.Count; i++)
        {
            Label($"categories[{i}]", categories[i]?.GetValue<string>(), required: true);
        }

        if (Json.Str(names, "kind") is { Length: > 0 } kind && kind == Json.Str(names, "listKind"))
        {
            errors.Add(FieldError.Invalid("spec.names.listKind", kind, "kind and listKind may not be the same"));
        }
    }

    private static void ValidateVersions(JsonObject crd, JsonObject spec, JsonObject? old, List<FieldError> errors)
    {
        var versions = (spec["versions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.versions", "[]", "must have exactly one version marked as storage version"));
            return;
        }

        var storage = versions.Count(v => Json.Bool(v, "storage"));
        if (storage != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", $"{storage} storage versions", "must have exactly one version marked as storage version"));
        }

        if (!versions.Any(v => Json.Bool(v, "served")))
        {
            errors.Add(FieldError.Invalid("spec.versions", "no served version", "must have at least one version marked as served"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var identical = HasIdenticalSchemas(crd);
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            var versionPath = $"spec.versions[{i}]";
            var versionName = Json.Str(version, "name");
            if (string.IsNullOrEmpty(versionName))
            {
                errors.Add(FieldError.Required(versionPath + ".name"));
            }
            else if (!Dns1035Label().IsMatch(versionName))
            {
                errors.Add(FieldError.Invalid(versionPath + ".name", versionName, Dns1035LabelMessage));
            }
            else if (!seen.Add(versionName))
            {
                errors.Add(FieldError.Duplicate(versionPath + ".name", versionName));
            }

            var columns = version["additionalPrinterColumns"] as JsonArray ?? [];
            for (var c = 0; c < columns.Count; c++)
            {
                var column = columns[c] as JsonObject;
                var columnPath = $"{versionPath}.additionalPrinterColumns[{c}]";
                if (string.IsNullOrEmpty(Json.Str(column, "name")))
                {
                    errors.Add(FieldError.Required(columnPath + ".name"));
                }

                if (Json.Str(column, "type") is not { } type || !PrinterColumnTypes.Contains(type))
                {
                    errors.Add(FieldError.Invalid(columnPath + ".type", Json.Str(column, "type") ?? "", "must be one of " + string.Join(",", PrinterColumnTypes)));
                }

                if (Json.Str(column, "jsonPath") is not { Length: > 0 } jsonPath)
                {
                    errors.Add(FieldError.Required(columnPath + ".JSONPath"));
                }
                else if (jsonPath[0] != '.')
                {
                    errors.Add(FieldError.Invalid(columnPath + ".JSONPath", jsonPath, "must be a simple json path starting with ."));
                }
            }

            if (identical && i > 0)
            {
                continue;
            }

            var schema = version["schema"]?["openAPIV3Schema"] as JsonObject;
            var schemaPath = identical ? "spec.validation.openAPIV3Schema" : $"{versionPath}.schema.openAPIV3Schema";
            if (schema is null)
            {
                errors.Add(FieldError.Required(identical ? schemaPath : versionPath + ".schema.openAPIV3Schema", "schemas are required"));
                continue;
            }

            var statusEnabled = versions.Any(v => v["subresources"]?["status"] is not null);
            var unchanged = old is not null && OldSchema(old, versionName) is { } before && JsonNode.DeepEquals(before, schema);
            ValidateSchema(schema, schemaPath, statusEnabled, unchanged, errors);
        }
    }

    private static JsonObject? OldSchema(JsonObject old, string? versionName) =>
        (old["spec"]?["versions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(v => Json.Str(v, "name") == versionName)?["schema"]?["openAPIV3Schema"] as JsonObject;

    private static bool HasIdenticalSchemas(JsonObject crd)
    {
        var versions = (crd["spec"]?["versions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        if (versions.Count == 0 || versions[0]["schema"] is not JsonObject first)
        {
            return false;
        }

        return versions.All(v => v["schema"] is JsonObject s && JsonNode.DeepEquals(s, first));
    }

    private static void ValidateSchema(JsonObject schema, string path, bool statusEnabled, bool unchanged, List<FieldError> errors)
    {
        var schemaErrors = new List<FieldError>();
        if (statusEnabled && Json.Str(schema, "type") is { } rootType && rootType != "object")
        {
            schemaErrors.Add(FieldError.Invalid(path + ".type", rootType, "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled"));
        }

        if (Json.Bool(schema, "nullable"))
        {
            schemaErrors.Add(FieldError.Forbidden(path + ".nullable", "nullable cannot be true at the root"));
        }

        ValidateNode(schema, path, NodeKind.Root, schemaErrors);
        ValidateRootMetadata(schema, path, schemaErrors);
        errors.AddRange(schemaErrors);
        if (schemaErrors.Count > 0)
        {
            // As in the API server, rules are compiled and priced only on a valid structural schema.
            return;
        }

        var rules = RuleCost.Of(schema, path);
        foreach (var rule in rules)
        {
            if (rule.CompileError is { } compileError)
            {
                var validation = FindRule(schema, path, rule) ?? new JsonObject { ["rule"] = rule.Rule };
                errors.Add(new FieldError(FieldErrorType.Invalid, rule.Path, RenderRule(validation), compileError));
            }
            else if (!unchanged && rule.ExceedsBudget)
            {
                errors.Add(FieldError.Forbidden(rule.Path, rule.BudgetMessage));
            }
        }

        var total = RuleCost.Total(rules);
        if (total > CostBudget.PerCrdLimit)
        {
            foreach (var expensive in rules.Where(r => r.CompileError is null && r.Cost >= CostBudget.PerCrdLimit / 100).OrderByDescending(r => r.Cost).Take(4))
            {
                errors.Add(FieldError.Forbidden(expensive.Path, "contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema"));
            }

            errors.Add(FieldError.Forbidden(path, CostBudget.ExceededMessage("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema", total, CostBudget.PerCrdLimit)));
        }
    }

    private enum NodeKind
    {
        Root,
        Property,
        Items,
        AdditionalProperties,
    }

    private static void ValidateNode(JsonObject node, string path, NodeKind kind, List<FieldError> errors)
    {
        foreach (var (key, message) in new[]
        {
            ("$ref", "$ref is not supported"), ("definitions", "definitions is not supported"), ("dependencies", "dependencies is not supported"),
            ("patternProperties", "patternProperties is not supported"), ("additionalItems", "additionalItems is not supported"), ("id", "id is not supported"),
        })
        {
            if (node.ContainsKey(key))
            {
                errors.Add(FieldError.Forbidden($"{path}.{key}", message));
            }
        }

        if (Json.Bool(node, "uniqueItems"))
        {
            errors.Add(FieldError.Forbidden(path + ".uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"));
        }

        var type = node["type"];
        var typeName = Json.Str(node, "type");
        if (type is not null and not JsonValue)
        {
            errors.Add(FieldError.Invalid(path + ".type", type.ToJsonString(), "must be a single type"));
        }
        else if (typeName == "null")
        {
            errors.Add(FieldError.Forbidden(path + ".type", "type cannot be set to null, use nullable as an alternative"));
        }
        else if (typeName is not null && !OpenApiTypes.Contains(typeName))
        {
            errors.Add(FieldError.NotSupported(path + ".type", typeName, OpenApiTypes));
        }

        var intOrString = Json.Bool(node, "x-kubernetes-int-or-string");
        var preserve = Json.Bool(node, "x-kubernetes-preserve-unknown-fields");
        if (string.IsNullOrEmpty(typeName) && !intOrString && !preserve)
        {
            errors.Add(FieldError.Required(path + ".type", kind switch
            {
                NodeKind.Root => "must not be empty at the root",
                NodeKind.Items => "must not be empty for specified array items",
                NodeKind.AdditionalProperties => "must not be empty for specified additionalProperties",
                _ => "must not be empty for specified object fields",
            }));
        }

        if (intOrString && typeName is not null)
        {
            errors.Add(FieldError.Invalid(path + ".type", typeName, "must be empty to be structural"));
        }

        if (node["x-kubernetes-preserve-unknown-fields"] is JsonValue preserveValue && preserveValue.GetValueKind() == JsonValueKind.False)
        {
            errors.Add(FieldError.Invalid(path + ".x-kubernetes-preserve-unknown-fields", false, "must be true or undefined"));
        }

        if (node["items"] is JsonArray)
        {
            errors.Add(FieldError.Forbidden(path + ".items", "items must be a schema object and not an array"));
        }

        if (node.ContainsKey("additionalProperties") && node["properties"] is JsonObject { Count: > 0 }
            && !(node["additionalProperties"] is JsonValue allows && allows.GetValueKind() == JsonValueKind.True))
        {
            errors.Add(FieldError.Forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
        }

        if (typeName == "array" && node["items"] is null)
        {
            errors.Add(FieldError.Required(path + ".items", "must be specified"));
        }

        ValidateListType(node, path, typeName, errors);
        ValidateRules(node, path, errors);
        if (node["default"] is { } dflt)
        {
            ValidateDefault(node, dflt, path + ".default", errors);
        }

        foreach (var (name, child) in node["properties"] as JsonObject ?? [])
        {
            if (child is JsonObject property)
            {
                ValidateNode(property, $"{path}.properties[{name}]", NodeKind.Property, errors);
            }
        }

        if (node["items"] is JsonObject items)
        {
            ValidateNode(items, path + ".items", NodeKind.Items, errors);
        }

        if (node["additionalProperties"] is JsonObject additional)
        {
            ValidateNode(additional, path + ".additionalProperties", NodeKind.AdditionalProperties, errors);
        }
    }

    private static void ValidateListType(JsonObject node, string path, string? typeName, List<FieldError> errors)
    {
        var listType = Json.Str(node, "x-kubernetes-list-type");
        var keys = node["x-kubernetes-list-map-keys"] as JsonArray ?? [];
        if (listType is not null && typeName != "array")
        {
            errors.Add(typeName is null
                ? FieldError.Required(path + ".type", "must be array if x-kubernetes-list-type is specified")
                : FieldError.Invalid(path + ".type", typeName, "must be array if x-kubernetes-list-type is specified"));
        }

        if (listType is not null and not ("atomic" or "set" or "map"))
        {
            errors.Add(FieldError.NotSupported(path + ".x-kubernetes-list-type", listType, ["atomic", "set", "map"]));
        }

        if (keys.Count > 0 && listType != "map")
        {
            errors.Add(listType is null
                ? FieldError.Required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty")
                : FieldError.Invalid(path + ".x-kubernetes-list-type", listType, "must be map if x-kubernetes-list-map-keys is non-empty"));
        }

        if (listType != "map")
        {
            return;
        }

        if (keys.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"));
        }

        if (node["items"] is not JsonObject items)
        {
            return;
        }

        if (Json.Str(items, "type") != "object")
        {
            errors.Add(FieldError.Invalid(path + ".items.type", Json.Str(items, "type") ?? "", "must be object if parent array's x-kubernetes-list-type is map"));
            return;
        }

        var required = (items["required"] as JsonArray ?? []).Select(r => r?.GetValue<string>()).ToHashSet();
        foreach (var key in keys.Select(k => k?.GetValue<string>() ?? ""))
        {
            if (items["properties"]?[key] is not JsonObject keySchema)
            {
                errors.Add(FieldError.Invalid(path + ".x-kubernetes-list-map-keys", string.Join(",", keys.Select(k => k?.GetValue<string>())), "entries must all be names of item properties"));
                continue;
            }

            if (!required.Contains(key) && keySchema["default"] is null)
            {
                errors.Add(FieldError.Required($"{path}.items.properties[{key}].default", "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
            }
        }
    }

    private static void ValidateRules(JsonObject node, string path, List<FieldError> errors)
    {
        var rules = node["x-kubernetes-validations"] as JsonArray ?? [];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i] as JsonObject;
            var at = $"{path}.x-kubernetes-validations[{i}]";
            var text = Json.Str(rule, "rule") ?? "";
            var message = Json.Str(rule, "message");
            if (text.Trim().Length == 0)
            {
                errors.Add(FieldError.Required(at + ".rule", "rule is not specified"));
            }
            else if (message is { Length: > 0 } && message.Trim().Length == 0)
            {
                errors.Add(FieldError.Invalid(at + ".message", message, "message must be non-empty if specified"));
            }
            else if (message is not null && message.Trim().IndexOfAny(['\n', '\r']) >= 0)
            {
                errors.Add(FieldError.Invalid(at + ".message", message, "message must not contain line breaks"));
            }
            else if (text.Trim().IndexOfAny(['\n', '\r']) >= 0 && string.IsNullOrWhiteSpace(message))
            {
                errors.Add(FieldError.Required(at + ".message", "message must be specified if rule contains line breaks"));
            }

            if (Json.Str(rule, "reason") is { } reason && !RuleReasons.Contains(reason))
            {
                errors.Add(FieldError.NotSupported(at + ".reason", reason, RuleReasons));
            }

            if (Json.Str(rule, "fieldPath") is { } fieldPath)
            {
                if (fieldPath.Trim().Length == 0)
                {
                    errors.Add(FieldError.Invalid(at + ".fieldPath", fieldPath, "fieldPath must be non-empty if specified"));
                }
                else if (!FieldPathExists(node, fieldPath))
                {
                    errors.Add(FieldError.Invalid(at + ".fieldPath", fieldPath, "fieldPath must be a valid path"));
                }
            }
        }
    }

    /// <summary>Whether a rule's <c>fieldPath</c> (<c>.a.b</c>, <c>['a'].b</c>) names a field under the schema node.</summary>
    private static bool FieldPathExists(JsonObject node, string fieldPath)
    {
        var current = node;
        foreach (Match segment in FieldPathSegment().Matches(fieldPath))
        {
            var name = segment.Groups["dot"].Success ? segment.Groups["dot"].Value : segment.Groups["quoted"].Value;
            if (current["properties"]?[name] is JsonObject property)
            {
                current = property;
            }
            else if (current["additionalProperties"] is JsonObject additional)
            {
                current = additional;
            }
            else
            {
                return false;
            }
        }

        return FieldPathSegment().Replace(fieldPath, "").Length == 0;
    }

    private static void ValidateDefault(JsonObject node, JsonNode dflt, string path, List<FieldError> errors)
    {
        var value = dflt.DeepClone();
        var unknown = SchemaDecoding.Prune(node, value, isResourceRoot: false);
        if (unknown.Count > 0)
        {
            errors.Add(FieldError.Invalid(path, dflt, "must not have unknown fields: " + string.Join(", ", unknown)));
        }

        SchemaDecoding.Default(node, value);
        var wrapper = new JsonObject { ["default"] = value };
        var wrapperSchema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["default"] = StripRules(node) } };
        foreach (var error in CustomResourceValidator.Validate(wrapperSchema, wrapper).Where(e => e.Field != "<nil>"))
        {
            var field = path + error.Field["default".Length..];
            errors.Add(error with { Field = field, Detail = error.Detail.Replace("default", path, StringComparison.Ordinal) });
        }
    }

    private static JsonObject StripRules(JsonObject node)
    {
        var copy = (JsonObject)node.DeepClone();
        Strip(copy);
        return copy;

        static void Strip(JsonObject o)
        {
            o.Remove("x-kubernetes-validations");
            foreach (var child in (o["properties"] as JsonObject ?? []).Select(p => p.Value).OfType<JsonObject>())
            {
                Strip(child);
            }

            if (o["items"] is JsonObject items)
            {
                Strip(items);
            }

            if (o["additionalProperties"] is JsonObject additional)
            {
                Strip(additional);
            }
        }
    }

    private static void ValidateRootMetadata(JsonObject schema, string path, List<FieldError> errors)
    {
        var properties = schema["properties"] as JsonObject;
        foreach (var field in new[] { "kind", "apiVersion" })
        {
            if (properties?[field] is JsonObject property && Json.Str(property, "type") is { } type && type != "string")
            {
                errors.Add(FieldError.Invalid($"{path}.properties[{field}].type", type, "must be string"));
            }
        }

        if (properties?["metadata"] is not JsonObject metadata)
        {
            return;
        }

        if (Json.Str(metadata, "type") is { } metaType && metaType != "object")
        {
            errors.Add(FieldError.Invalid(path + ".properties[metadata].type", metaType, "must be object"));
        }

        var allowed = metadata.Where(p => p.Key is not ("type" or "description" or "properties")).ToList();
        var metaProperties = metadata["properties"] as JsonObject ?? [];
        if (allowed.Count > 0 || metaProperties.Any(p => p.Key is not ("name" or "generateName")))
        {
            errors.Add(FieldError.Forbidden(path + ".properties[metadata]", "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }

        foreach (var (field, fieldSchema) in new[] { ("kind", properties["kind"]), ("apiVersion", properties["apiVersion"]), ("metadata", properties["metadata"]) })
        {
            if (fieldSchema?["default"] is not null)
            {
                errors.Add(FieldError.Forbidden($"{path}.properties[{field}].default", $"must not be set in top-level {field}"));
            }
        }
    }

    private static JsonObject? FindRule(JsonObject schema, string schemaPath, RuleCost rule)
    {
        JsonNode? node = schema;
        foreach (Match step in SchemaPathStep().Matches(rule.SchemaPath[schemaPath.Length..]))
        {
            node = step.Groups["property"].Success ? node?["properties"]?[step.Groups["property"].Value] : node?[step.Groups["child"].Value];
        }

        return (node?["x-kubernetes-validations"] as JsonArray)?[rule.Index] as JsonObject;
    }

    /// <summary>A validation rule as Go's <c>%#v</c> prints <c>apiextensions.ValidationRule</c> in an Invalid error.</summary>
    private static string RenderRule(JsonObject rule)
    {
        string Text(string field) => FieldError.Quote(Json.Str(rule, field) ?? "");
        var reason = Json.Str(rule, "reason") is { } r ? $"\"{r}\"" : "(*apiextensions.FieldValueErrorReason)(nil)";
        var sb = new StringBuilder("apiextensions.ValidationRule{");
        sb.Append("Rule:").Append(Text("rule"))
            .Append(", Message:").Append(Text("message"))
            .Append(", MessageExpression:").Append(Text("messageExpression"))
            .Append(", Reason:").Append(reason)
            .Append(", FieldPath:").Append(Text("fieldPath"))
            .Append(", OptionalOldSelf:(*bool)(nil)}");
        return sb.ToString();
    }

    private const string Dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string Dns1035LabelMessage =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(@"\.(?<dot>[A-Za-z_][A-Za-z0-9_-]*)|\['(?<quoted>[^']*)'\]")]
    private static partial Regex FieldPathSegment();

    [GeneratedRegex(@"\.properties\[(?<property>[^\]]*)\]|\.(?<child>items|additionalProperties)")]
    private static partial Regex SchemaPathStep();
}
