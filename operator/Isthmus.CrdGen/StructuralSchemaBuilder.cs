using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using Isthmus.Api.Schema;

namespace Isthmus.CrdGen;

/// <summary>
/// Builds the Kubernetes structural schema (<c>openAPIV3Schema</c>) of a custom resource type: the JSON
/// schema from <see cref="JsonSchemaExporter"/>, with a transform that adds the descriptions from the XML
/// doc comments and the Isthmus.Api.Schema attributes, then made structural: no <c>$ref</c>, a single
/// <c>type</c> on every node (null dropped: an absent field and a null are the same to the API server),
/// <c>metadata</c> left to the API server.
/// </summary>
public sealed class StructuralSchemaBuilder(XmlDocumentation docs)
{
    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerOptions.Default)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The structural schema of <paramref name="entityType"/>.</summary>
    public JsonObject Build(Type entityType)
    {
        // Nodes as they were before property-level additions, by JSON pointer: a $ref the exporter emits for
        // a repeated type is expanded from these, so one property's description or rules never leak into another.
        var typeLevel = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var exporterOptions = new JsonSchemaExporterOptions
        {
            TransformSchemaNode = (context, node) => Transform(context, node, typeLevel),
        };
        var root = SerializerOptions.GetJsonSchemaAsNode(entityType, exporterOptions).AsObject();
        var resolved = Resolve(root, root, typeLevel, entityType.Name).AsObject();
        resolved.Remove("$schema");
        var properties = resolved["properties"]?.AsObject()
            ?? throw new CrdGenerationException($"{entityType.Name} has no properties");
        properties["metadata"] = new JsonObject { ["type"] = "object" };
        return resolved;
    }

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode node, Dictionary<string, JsonNode> typeLevel)
    {
        if (node is not JsonObject schema)
        {
            // The exporter writes 'true' for a schema that accepts anything: a property read by its own converter.
            // An int-or-string field is one (a number or a string); its schema is built from the attribute below.
            if (context.PropertyInfo?.AttributeProvider is PropertyInfo intOrString && intOrString.GetCustomAttribute<IntOrStringAttribute>() is not null)
            {
                schema = new JsonObject();
            }
            else
            {
                throw new CrdGenerationException($"{Where(context)}: no schema for {context.TypeInfo.Type.Name}");
            }
        }
        var type = Nullable.GetUnderlyingType(context.TypeInfo.Type) ?? context.TypeInfo.Type;
        NormalizeType(schema);

        if (context.TypeInfo.Kind == JsonTypeInfoKind.Object && !schema.ContainsKey("$ref"))
        {
            ApplyTypeLevel(type, context.TypeInfo, schema);
        }
        if (context.PropertyInfo?.AttributeProvider is PropertyInfo property)
        {
            typeLevel[Pointer(context.Path)] = schema.DeepClone();
            ApplyPropertyLevel(property, schema, Where(context));
        }
        else if (schema["description"] is null && docs.Of(type) is { } typeDoc && context.TypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            schema["description"] = typeDoc;
        }
        return schema;
    }

    private void ApplyTypeLevel(Type type, JsonTypeInfo typeInfo, JsonObject schema)
    {
        var required = new JsonArray();
        foreach (var property in typeInfo.Properties)
        {
            if (property.AttributeProvider is PropertyInfo info && info.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(property.Name);
            }
        }
        schema.Remove("required");
        if (required.Count > 0)
        {
            schema["required"] = required;
        }
        AddRules(schema, type.GetCustomAttributes<CelRuleAttribute>(inherit: false), type.Name);
    }

    private void ApplyPropertyLevel(PropertyInfo property, JsonObject schema, string where)
    {
        var doc = docs.Of(property) ?? docs.Of(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        if (doc is null)
        {
            throw new CrdGenerationException($"{where}: {property.DeclaringType!.Name}.{property.Name} has no <summary> doc comment (it is the field's description)");
        }
        schema["description"] = doc;

        // Pattern and length attributes on a list or a map apply to its items or values.
        var scalarTarget = schema["type"]?.GetValue<string>() switch
        {
            "array" => schema["items"]!.AsObject(),
            "object" when schema["additionalProperties"] is JsonObject values => values,
            _ => schema,
        };

        if (property.GetCustomAttribute<IntOrStringAttribute>() is not null)
        {
            schema.Remove("type");
            schema["x-kubernetes-int-or-string"] = true;
        }
        if (property.GetCustomAttribute<DefaultAttribute>() is { } dflt)
        {
            schema["default"] = DefaultValue(dflt.Value, schema, where);
        }
        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            scalarTarget["pattern"] = pattern.Pattern;
        }
        if (property.GetCustomAttribute<MinimumAttribute>() is { } min)
        {
            schema["minimum"] = min.Value;
        }
        if (property.GetCustomAttribute<MaximumAttribute>() is { } max)
        {
            schema["maximum"] = max.Value;
        }
        if (property.GetCustomAttribute<MinLengthAttribute>() is { } minLength)
        {
            scalarTarget["minLength"] = minLength.Value;
        }
        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } maxLength)
        {
            scalarTarget["maxLength"] = maxLength.Value;
        }
        if (property.GetCustomAttribute<MinItemsAttribute>() is { } minItems)
        {
            schema["minItems"] = minItems.Value;
        }
        if (property.GetCustomAttribute<MaxItemsAttribute>() is { } maxItems)
        {
            schema["maxItems"] = maxItems.Value;
        }
        if (property.GetCustomAttribute<MaxPropertiesAttribute>() is { } maxProperties)
        {
            schema["maxProperties"] = maxProperties.Value;
        }
        if (property.GetCustomAttribute<ListTypeAttribute>() is { } listType)
        {
            schema["x-kubernetes-list-type"] = listType.Type;
            if (listType.MapKeys.Count > 0)
            {
                schema["x-kubernetes-list-map-keys"] = new JsonArray(listType.MapKeys.Select(k => (JsonNode)JsonValue.Create(k)).ToArray());
            }
        }
        AddRules(schema, property.GetCustomAttributes<CelRuleAttribute>(inherit: false), where);
    }

    private static void AddRules(JsonObject schema, IEnumerable<CelRuleAttribute> rules, string where)
    {
        var list = schema["x-kubernetes-validations"] as JsonArray ?? [];
        foreach (var rule in rules)
        {
            if (string.IsNullOrWhiteSpace(rule.Message))
            {
                throw new CrdGenerationException($"{where}: CEL rule '{rule.Rule}' has no Message naming the field");
            }
            var item = new JsonObject
            {
                ["rule"] = CelTemplates.Expand(rule.Rule, where),
                ["message"] = rule.Message,
            };
            if (!string.IsNullOrEmpty(rule.FieldPath))
            {
                item["fieldPath"] = rule.FieldPath;
            }
            list.Add(item);
        }
        if (list.Count > 0)
        {
            schema["x-kubernetes-validations"] = list;
        }
    }

    private static JsonNode DefaultValue(object value, JsonObject schema, string where)
    {
        var type = schema["type"]?.GetValue<string>();
        if (type is "object" or "array")
        {
            if (value is not string json)
            {
                throw new CrdGenerationException($"{where}: the default of an {type} must be JSON text");
            }
            return JsonNode.Parse(json) ?? throw new CrdGenerationException($"{where}: default 'null' is not allowed");
        }
        return value switch
        {
            string s => JsonValue.Create(s),
            bool b => JsonValue.Create(b),
            int i => JsonValue.Create(i),
            long l => JsonValue.Create(l),
            _ => throw new CrdGenerationException($"{where}: default of type {value.GetType().Name} is not supported"),
        };
    }

    /// <summary>Makes <c>type</c> a single string: drops "null" from a type list and from enums.</summary>
    private static void NormalizeType(JsonObject schema)
    {
        if (schema["type"] is JsonArray types)
        {
            var remaining = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            if (remaining.Count != 1)
            {
                throw new CrdGenerationException($"a schema allows several types ({string.Join(", ", remaining)}): not structural");
            }
            schema["type"] = remaining[0];
        }
        if (schema["enum"] is JsonArray values)
        {
            var kept = values.Where(v => v is not null).Select(v => v!.DeepClone()).ToArray();
            schema["enum"] = new JsonArray(kept);
            if (schema["type"] is null && kept.All(v => v.GetValueKind() == JsonValueKind.String))
            {
                schema["type"] = "string";
            }
        }
    }

    /// <summary>Copies the tree with every <c>$ref</c> replaced by the type-level node it points to.</summary>
    private static JsonNode Resolve(JsonNode node, JsonObject root, Dictionary<string, JsonNode> typeLevel, string where)
    {
        switch (node)
        {
            case JsonObject obj when obj["$ref"] is JsonValue reference:
                var pointer = reference.GetValue<string>();
                var target = typeLevel.GetValueOrDefault(pointer) ?? Lookup(root, pointer, where);
                if (target is JsonObject targetObject && targetObject.ContainsKey("$ref"))
                {
                    throw new CrdGenerationException($"{where}: recursive type at {pointer}: a structural schema cannot express it");
                }
                var merged = Resolve(target, root, typeLevel, where).AsObject();
                foreach (var (key, value) in obj)
                {
                    if (key != "$ref")
                    {
                        merged[key] = Resolve(value!, root, typeLevel, where);
                    }
                }
                return merged;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    copy[key] = value is null ? null : Resolve(value, root, typeLevel, where);
                }
                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(v => v is null ? null : Resolve(v, root, typeLevel, where)).ToArray());
            default:
                return node.DeepClone();
        }
    }

    private static JsonNode Lookup(JsonObject root, string pointer, string where)
    {
        if (!pointer.StartsWith("#", StringComparison.Ordinal))
        {
            throw new CrdGenerationException($"{where}: external $ref '{pointer}'");
        }
        JsonNode current = root;
        foreach (var segment in pointer[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = current[segment.Replace("~1", "/").Replace("~0", "~")]
                ?? throw new CrdGenerationException($"{where}: $ref '{pointer}' points nowhere");
        }
        return current;
    }

    private static string Pointer(ReadOnlySpan<string> path)
    {
        var parts = new List<string>();
        foreach (var segment in path)
        {
            parts.Add(segment.Replace("~", "~0").Replace("/", "~1"));
        }
        return "#" + (parts.Count == 0 ? "" : "/" + string.Join("/", parts));
    }

    private static string Where(JsonSchemaExporterContext context)
    {
        var parts = new List<string>();
        foreach (var segment in context.Path)
        {
            if (segment is not ("properties" or "items"))
            {
                parts.Add(segment);
            }
        }
        return (context.BaseTypeInfo?.Type ?? context.TypeInfo.Type).Name + ":" + string.Join(".", parts);
    }
}
