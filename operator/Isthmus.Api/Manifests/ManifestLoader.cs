using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Isthmus.Api.V1Alpha1;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Isthmus.Api.Manifests;

/// <summary>
/// Reads Isthmus manifests from YAML files: the standalone store (an edge box without Kubernetes) and the
/// local demo read the same YAML a user would <c>kubectl apply</c>. Multi-document files are supported;
/// documents are dispatched on <c>apiVersion</c> and <c>kind</c> to IpsecTunnel, TrafficSelector and
/// Secret; other kinds (Namespaces, Deployments, ...) are ignored. Unknown fields are errors, as with
/// <c>kubectl apply --validate=strict</c>.
/// </summary>
public static partial class ManifestLoader
{
    /// <summary>Namespace given to resources whose metadata has none.</summary>
    public const string DefaultNamespace = "default";

    private static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new LenientStringConverter() },
    };

    /// <summary>
    /// Loads every <c>*.yaml</c> and <c>*.yml</c> file under the given files or directories (directories
    /// recursively, in ordinal path order).
    /// </summary>
    /// <exception cref="ManifestException">A path does not exist, a file is not valid YAML, or a document is not a valid resource.</exception>
    public static ManifestSet Load(params string[] paths)
    {
        var tunnels = new List<V1Alpha1IpsecTunnel>();
        var selectors = new List<V1Alpha1TrafficSelector>();
        var secrets = new List<V1Secret>();
        var seen = new Dictionary<(string Kind, string Namespace, string Name), string>();

        foreach (var file in ExpandPaths(paths))
        {
            var index = 0;
            foreach (var document in ReadDocuments(file))
            {
                index++;
                if (document is null)
                {
                    continue;
                }
                var resource = ReadResource(file, index, document);
                if (resource is null)
                {
                    continue;
                }
                var metadata = resource switch
                {
                    V1Alpha1IpsecTunnel t => t.Metadata,
                    V1Alpha1TrafficSelector s => s.Metadata,
                    V1Secret s => s.Metadata,
                    _ => throw new InvalidOperationException("unreachable"),
                };
                var kind = resource switch
                {
                    V1Alpha1IpsecTunnel => V1Alpha1IpsecTunnel.KindName,
                    V1Alpha1TrafficSelector => V1Alpha1TrafficSelector.KindName,
                    _ => V1Secret.KindName,
                };
                var key = (kind, metadata.Namespace!, metadata.Name!);
                var where = $"{file}: document {index}";
                if (seen.TryGetValue(key, out var first))
                {
                    throw new ManifestException(file, index, "metadata.name", $"{kind} {metadata.Namespace}/{metadata.Name} is defined twice (first in {first})");
                }
                seen[key] = where;
                switch (resource)
                {
                    case V1Alpha1IpsecTunnel t:
                        tunnels.Add(t);
                        break;
                    case V1Alpha1TrafficSelector s:
                        selectors.Add(s);
                        break;
                    case V1Secret s:
                        secrets.Add(s);
                        break;
                }
            }
        }
        return new ManifestSet(tunnels, selectors, secrets);
    }

    /// <summary>
    /// Reads one document already in JSON form (an object an admission webhook received, say) with the same
    /// strict rules as <see cref="Load"/>: an IpsecTunnel, a TrafficSelector or a Secret, or null for any other kind.
    /// </summary>
    /// <exception cref="ManifestException">The document is not a valid resource; <see cref="ManifestException.Field"/> names the field.</exception>
    public static object? ReadDocument(JsonObject document, string source)
    {
        ArgumentNullException.ThrowIfNull(document);
        return ReadResource(source, 1, document);
    }

    private static IEnumerable<string> ExpandPaths(string[] paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                throw new ManifestException(path, null, null, "no such file or directory");
            }
        }
    }

    /// <summary>Parses the file's YAML documents and converts each to JSON; an empty document yields null.</summary>
    private static List<JsonObject?> ReadDocuments(string file)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(file);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new ManifestException(file, null, null, $"invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {YamlReason(e)}");
        }
        catch (IOException e)
        {
            throw new ManifestException(file, null, null, $"cannot read: {e.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ManifestException(file, null, null, "cannot read: permission denied");
        }

        var documents = new List<JsonObject?>();
        var index = 0;
        foreach (var document in stream.Documents)
        {
            index++;
            var root = document.RootNode;
            if (root is YamlScalarNode { Value: null or "" } && root.Tag.IsEmpty)
            {
                documents.Add(null);
                continue;
            }
            var json = YamlToJson.Convert(root, out var error);
            if (error is not null)
            {
                throw new ManifestException(file, index, null, error);
            }
            if (json is not JsonObject obj)
            {
                throw new ManifestException(file, index, null, "a document must be a mapping with apiVersion, kind and metadata");
            }
            documents.Add(obj);
        }
        return documents;
    }

    private static string YamlReason(YamlException e)
    {
        // YamlDotNet prefixes its message with the mark range "(Line: 1, Col: 2, Idx: 3) - (...): ".
        var message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
    }

    private static object? ReadResource(string file, int index, JsonObject document)
    {
        var apiVersion = ReadIdentifying(file, index, document, "apiVersion");
        var kind = ReadIdentifying(file, index, document, "kind");

        Type? type = null;
        if (apiVersion == V1Alpha1IpsecTunnel.GroupVersion)
        {
            type = kind switch
            {
                V1Alpha1IpsecTunnel.KindName => typeof(V1Alpha1IpsecTunnel),
                V1Alpha1TrafficSelector.KindName => typeof(V1Alpha1TrafficSelector),
                _ => throw new ManifestException(file, index, "kind", $"unknown kind '{kind}' in {apiVersion} (expected {V1Alpha1IpsecTunnel.KindName} or {V1Alpha1TrafficSelector.KindName})"),
            };
        }
        else if (apiVersion.StartsWith(V1Alpha1IpsecTunnel.Group + "/", StringComparison.Ordinal))
        {
            throw new ManifestException(file, index, "apiVersion", $"unsupported version '{apiVersion}' (expected {V1Alpha1IpsecTunnel.GroupVersion})");
        }
        else if (apiVersion == V1Secret.GroupVersion && kind == V1Secret.KindName)
        {
            type = typeof(V1Secret);
        }
        if (type is null)
        {
            return null;
        }

        var isSecret = type == typeof(V1Secret);
        object? resource;
        try
        {
            resource = document.Deserialize(type, Options);
        }
        catch (JsonException e)
        {
            throw Describe(file, index, document, e, isSecret);
        }
        if (resource is null)
        {
            throw new ManifestException(file, index, null, "empty resource");
        }

        var metadata = resource switch
        {
            V1Alpha1IpsecTunnel t => t.Metadata,
            V1Alpha1TrafficSelector s => s.Metadata,
            V1Secret s => s.Metadata,
            _ => throw new InvalidOperationException("unreachable"),
        };
        if (metadata is null)
        {
            throw new ManifestException(file, index, "metadata", "required");
        }
        if (string.IsNullOrEmpty(metadata.Name))
        {
            throw new ManifestException(file, index, "metadata.name", "required");
        }
        if (!DnsSubdomain().IsMatch(metadata.Name) || metadata.Name.Length > 253)
        {
            throw new ManifestException(file, index, "metadata.name", $"'{metadata.Name}' is not a valid name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)");
        }
        metadata.Namespace ??= DefaultNamespace;
        if (!DnsLabel().IsMatch(metadata.Namespace) || metadata.Namespace.Length > 63)
        {
            throw new ManifestException(file, index, "metadata.namespace", $"'{metadata.Namespace}' is not a valid namespace");
        }
        return resource;
    }

    private static string ReadIdentifying(string file, int index, JsonObject document, string name)
    {
        if (!document.TryGetPropertyValue(name, out var node) || node is null)
        {
            throw new ManifestException(file, index, name, "required");
        }
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length == 0)
        {
            throw new ManifestException(file, index, name, "must be a non-empty string");
        }
        return text;
    }

    /// <summary>Turns a System.Text.Json error into a message naming the field; values of Secrets are never quoted.</summary>
    private static ManifestException Describe(string file, int index, JsonObject document, JsonException e, bool isSecret)
    {
        var field = FieldFromPath(e.Path);
        var message = e.Message;
        var pathInfo = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (pathInfo >= 0)
        {
            message = message[..pathInfo];
        }

        var unmapped = UnmappedProperty().Match(message);
        if (unmapped.Success)
        {
            var property = unmapped.Groups[1].Value;
            if (field is null || !(field == property || field.EndsWith("." + property, StringComparison.Ordinal)))
            {
                field = string.IsNullOrEmpty(field) ? property : $"{field}.{property}";
            }
            return new ManifestException(file, index, field, "unknown field");
        }

        var conversion = ConversionTarget().Match(message);
        if (conversion.Success)
        {
            var expected = Expected(conversion.Groups[1].Value);
            if (isSecret)
            {
                return new ManifestException(file, index, field, $"invalid value: expected {expected}");
            }
            var node = Navigate(document, e.Path);
            var shown = node is null ? "null" : node.ToJsonString();
            if (shown.Length > 80)
            {
                shown = shown[..77] + "...";
            }
            return new ManifestException(file, index, field, $"invalid value {shown}: expected {expected}");
        }

        return new ManifestException(file, index, field, isSecret ? "invalid value" : message.TrimEnd('.'));
    }

    private static string? FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }
        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return QuotedSegment().Replace(field, m => "." + m.Groups[1].Value).TrimStart('.');
    }

    private static JsonNode? Navigate(JsonObject document, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        JsonNode? node = document;
        foreach (Match segment in PathSegment().Matches(path))
        {
            if (segment.Groups["index"].Success)
            {
                if (node is not JsonArray array || !int.TryParse(segment.Groups["index"].Value, out var i) || i >= array.Count)
                {
                    return null;
                }
                node = array[i];
            }
            else
            {
                var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
                if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
                {
                    return null;
                }
            }
        }
        return node;
    }

    private static string Expected(string typeName)
    {
        var nullable = NullableOf().Match(typeName);
        if (nullable.Success)
        {
            typeName = nullable.Groups[1].Value;
        }
        var type = typeof(ManifestLoader).Assembly.GetType(typeName);
        if (type is { IsEnum: true })
        {
            var names = type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => f.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? f.Name);
            return "one of " + string.Join(", ", names);
        }
        return typeName switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when typeName.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "a list",
            _ when typeName.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal) => "a map",
            _ => "an object",
        };
    }

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to ([^\s]+?)\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex ConversionTarget();

    [GeneratedRegex(@"^System\.Nullable`1\[\[?([^,\]]+)", RegexOptions.CultureInvariant)]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"\['([^']*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedSegment();

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\[(?<index>\d+)\]|\['(?<quoted>[^']*)'\]", RegexOptions.CultureInvariant)]
    private static partial Regex PathSegment();
}
