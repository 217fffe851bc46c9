using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isthmus.ApiExtensions.Expressions;

/// <summary>A field of a schema object as CEL sees it.</summary>
/// <param name="Name">The name in CEL (escaped as the API server escapes property names).</param>
/// <param name="Type">The field's declaration.</param>
/// <param name="Required">Whether the schema lists the field as required.</param>
public sealed record DeclField(string Name, DeclType Type, bool Required);

/// <summary>
/// The CEL declaration of a structural schema node, as the API server builds it for <c>x-kubernetes-validations</c>
/// (k8s.io/apiserver/pkg/cel/common <c>SchemaDeclType</c>): the CEL type, the fields of objects, the element and key
/// declarations of lists and maps, the largest size the schema allows (<see cref="MaxElements"/>: characters of a
/// string, items of a list, properties of a map) and the smallest JSON text a value can have
/// (<see cref="MinSerializedSize"/>). Whatever the schema leaves unbounded is sized from the 3 MiB request limit.
/// </summary>
public sealed partial class DeclType
{
    /// <summary>The largest request the API server accepts, 3 MiB: the bound of every unbounded size.</summary>
    public const long MaxRequestSizeBytes = 3 * 1024 * 1024;

    // k8s.io/apiserver/pkg/cel/limits.go
    private const long MaxDurationSizeJson = 32;
    private const long MaxDatetimeSizeJson = 32;
    private const long MinDurationSizeJson = 3;
    private const long JsonDateSize = 12;
    private const long MinDatetimeSizeJson = 21;
    private const long MinStringSize = 2;
    private const long MinBoolSize = 4;
    private const long MinNumberSize = 1;

    private static readonly HashSet<string> CelReservedWords =
    [
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
        "let", "loop", "package", "namespace", "return", "var", "void", "while",
    ];

    private DeclType(CelType type, long maxElements, long minSerializedSize)
    {
        MaxElements = maxElements;
        MinSerializedSize = minSerializedSize;
        Type = type.Kind == CelTypeKind.Struct ? type : type.WithDecl(this);
    }

    /// <summary>The CEL type.</summary>
    public CelType Type { get; private set; }

    /// <summary>Largest size: characters (times 4: bytes) of a string, items of a list, properties of a map.</summary>
    public long MaxElements { get; }

    /// <summary>The shortest JSON text of a value of this declaration.</summary>
    public long MinSerializedSize { get; private set; }

    /// <summary>Fields of an object, by CEL name.</summary>
    public IReadOnlyDictionary<string, DeclField> Fields { get; private set; } = new Dictionary<string, DeclField>();

    /// <summary>Item declaration of a list, value declaration of a map.</summary>
    public DeclType? Element { get; private set; }

    /// <summary>Key declaration of a map.</summary>
    public DeclType? Key { get; private set; }

    /// <summary>
    /// The declaration of <paramref name="schema"/>, or null when the schema exposes nothing to CEL (no type and no
    /// x-kubernetes-int-or-string). <paramref name="isResourceRoot"/> adds <c>apiVersion</c>, <c>kind</c> and
    /// <c>metadata.name</c>/<c>generateName</c> as the API server does at the root of a resource.
    /// </summary>
    public static DeclType? FromSchema(JsonObject schema, bool isResourceRoot)
    {
        if (Bool(schema, "x-kubernetes-int-or-string"))
        {
            // An int-or-string is dyn, sized as the longest string a request can hold. (Kubernetes 1.32 does not
            // bound it by maxLength; later releases do. Unbounded is the conservative estimate for both.)
            return new DeclType(CelType.Dyn, MaxRequestSizeBytes - 2, 1);
        }

        if (isResourceRoot)
        {
            schema = WithTypeAndObjectMeta(schema);
        }

        switch (Str(schema, "type"))
        {
            case "array":
            {
                if (schema["items"] is not JsonObject itemsSchema)
                {
                    return null;
                }

                var items = FromSchema(itemsSchema, Bool(itemsSchema, "x-kubernetes-embedded-resource"));
                if (items is null)
                {
                    return null;
                }

                var maxItems = Long(schema, "maxItems") is { } m ? Math.Max(0, m) : (MaxRequestSizeBytes - 2) / (items.MinSerializedSize + 1);
                return new DeclType(CelType.ListOf(items.Type), maxItems, 2) { Element = items };
            }

            case "object":
            {
                if (schema["additionalProperties"] is JsonObject valuesSchema)
                {
                    var values = FromSchema(valuesSchema, Bool(valuesSchema, "x-kubernetes-embedded-resource"));
                    if (values is null)
                    {
                        return null;
                    }

                    var maxProperties = Long(schema, "maxProperties") is { } m ? Math.Max(0, m) : (MaxRequestSizeBytes - 2) / (values.MinSerializedSize + 6);
                    var key = new DeclType(CelType.String, MaxRequestSizeBytes - 2, MinStringSize);
                    return new DeclType(CelType.MapOf(CelType.String, values.Type), maxProperties, 2) { Element = values, Key = key };
                }

                var required = (schema["required"] as JsonArray ?? []).Select(r => r?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
                var fields = new Dictionary<string, DeclField>(StringComparer.Ordinal);
                var minSize = 2L;
                foreach (var (name, propertyNode) in schema["properties"] as JsonObject ?? [])
                {
                    if (propertyNode is not JsonObject property)
                    {
                        continue;
                    }

                    var fieldType = FromSchema(property, Bool(property, "x-kubernetes-embedded-resource"));
                    if (fieldType is null)
                    {
                        continue;
                    }

                    if (Escape(name) is { } celName)
                    {
                        fields[celName] = new DeclField(celName, fieldType, required.Contains(name));
                    }

                    if (required.Contains(name) && property["default"] is null)
                    {
                        minSize += name.Length + fieldType.MinSerializedSize + 4;
                    }
                }

                var obj = new DeclType(CelType.Dyn, 0, minSize) { Fields = fields };
                obj.Type = CelType.Struct(obj);
                return obj;
            }

            case "string":
                return Str(schema, "format") switch
                {
                    "byte" => new DeclType(CelType.Bytes, Long(schema, "maxLength") is { } b ? Math.Max(0, b) : MaxRequestSizeBytes - 2, MinStringSize),
                    "duration" => new DeclType(CelType.Duration, MaxDurationSizeJson, MinDurationSizeJson),
                    "date" => new DeclType(CelType.Timestamp, JsonDateSize, JsonDateSize),
                    "date-time" => new DeclType(CelType.Timestamp, MaxDatetimeSizeJson, MinDatetimeSizeJson),
                    _ => new DeclType(CelType.String, MaxStringElements(schema), MinStringSize),
                };
            case "boolean":
                return new DeclType(CelType.Bool, 0, MinBoolSize);
            case "number":
                return new DeclType(CelType.Double, 0, MinNumberSize);
            case "integer":
                return new DeclType(CelType.Int, 0, MinNumberSize);
            default:
                return null;
        }
    }

    /// <summary>
    /// The name a property has in CEL (k8s.io/apiserver/pkg/cel <c>Escape</c>), or null when it cannot be
    /// expressed: CEL keywords become <c>__name__</c>; <c>_</c>, <c>.</c>, <c>-</c> and <c>/</c> are spelt out.
    /// </summary>
    public static string? Escape(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return null;
        }

        if (CelReservedWords.Contains(name))
        {
            return "__" + name + "__";
        }

        if (!EscapableName().IsMatch(name))
        {
            return null;
        }

        return name.Replace("__", "__underscores__", StringComparison.Ordinal)
            .Replace(".", "__dot__", StringComparison.Ordinal)
            .Replace("-", "__dash__", StringComparison.Ordinal)
            .Replace("/", "__slash__", StringComparison.Ordinal);
    }

    private static long MaxStringElements(JsonObject schema)
    {
        if (Long(schema, "maxLength") is { } maxLength)
        {
            // maxLength counts characters; a character is up to 4 bytes.
            return Math.Max(0, maxLength) * 4;
        }

        if (schema["enum"] is JsonArray values && values.Count > 0)
        {
            return values.Select(v => v is JsonValue s && s.GetValueKind() == JsonValueKind.String ? System.Text.Encoding.UTF8.GetByteCount(s.GetValue<string>()) : 0).Max();
        }

        return MaxRequestSizeBytes - 2;
    }

    private static JsonObject WithTypeAndObjectMeta(JsonObject schema)
    {
        var copy = (JsonObject)schema.DeepClone();
        var properties = copy["properties"] as JsonObject ?? [];
        copy["properties"] = properties;
        JsonObject StringSchema() => new() { ["type"] = "string" };
        if (Str(properties["kind"] as JsonObject, "type") != "string")
        {
            properties["kind"] = StringSchema();
        }

        if (Str(properties["apiVersion"] as JsonObject, "type") != "string")
        {
            properties["apiVersion"] = StringSchema();
        }

        var metadata = properties["metadata"] as JsonObject;
        var metaProps = metadata?["properties"] as JsonObject;
        if (metadata is null || Str(metadata, "type") != "object" || metaProps is null
            || Str(metaProps["name"] as JsonObject, "type") != "string" || Str(metaProps["generateName"] as JsonObject, "type") != "string")
        {
            properties["metadata"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["name"] = StringSchema(), ["generateName"] = StringSchema() },
            };
        }

        return copy;
    }

    private static string? Str(JsonObject? o, string name) => o?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool Bool(JsonObject o, string name) => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static long? Long(JsonObject o, string name) =>
        o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)double.Parse(v.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("^[a-zA-Z_.\\-/][a-zA-Z0-9_.\\-/]*$")]
    private static partial Regex EscapableName();
}
