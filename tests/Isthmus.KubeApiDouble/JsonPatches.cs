using System.Text.Json;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// The patch formats the double accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge
/// patch, which is applied as a merge patch (maps merge, lists are replaced: the double knows no patch merge keys).
/// </summary>
public static class JsonPatches
{
    /// <summary>Applies an RFC 7386 merge patch and returns the result (the target is not modified).</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? (JsonObject)targetObject.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result.TryGetPropertyValue(key, out var existing) ? existing : null, value);
            }
        }

        return result;
    }

    /// <summary>Applies an RFC 6902 JSON patch; a failed <c>test</c> or a bad path is a typed API error.</summary>
    public static JsonNode? JsonPatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonArray operations)
        {
            throw ApiStatusException.BadRequest("json patch must be an array of operations");
        }

        var document = target?.DeepClone();
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op || Str(op, "op") is not { } kind || Str(op, "path") is not { } path)
            {
                throw ApiStatusException.BadRequest("json patch operation must be an object with \"op\" and \"path\"");
            }

            switch (kind)
            {
                case "add":
                    document = Add(document, path, Value(op));
                    break;
                case "remove":
                    document = Remove(document, path, out _);
                    break;
                case "replace":
                    document = Remove(document, path, out _);
                    document = Add(document, path, Value(op));
                    break;
                case "move":
                {
                    var from = Str(op, "from") ?? throw ApiStatusException.BadRequest("move needs \"from\"");
                    document = Remove(document, from, out var moved);
                    document = Add(document, path, moved);
                    break;
                }

                case "copy":
                {
                    var from = Str(op, "from") ?? throw ApiStatusException.BadRequest("copy needs \"from\"");
                    document = Add(document, path, Get(document, from)?.DeepClone());
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Get(document, path), Value(op)))
                    {
                        throw new ApiStatusException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw ApiStatusException.BadRequest($"unknown json patch operation \"{kind}\"");
            }
        }

        return document;
    }

    private static string? Str(JsonObject o, string name) =>
        o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var v) ? v?.DeepClone() : throw ApiStatusException.BadRequest("json patch operation needs \"value\"");

    private static string[] Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }

        if (pointer[0] != '/')
        {
            throw ApiStatusException.BadRequest($"json pointer \"{pointer}\" must start with '/'");
        }

        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
    }

    private static JsonNode? Get(JsonNode? document, string pointer)
    {
        var node = document;
        foreach (var token in Tokens(pointer))
        {
            node = node switch
            {
                JsonObject o when o.TryGetPropertyValue(token, out var child) => child,
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw new ApiStatusException(422, "Invalid", $"the server rejected our request due to an error in our request: json pointer {pointer} does not exist"),
            };
        }

        return node;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode? document, string pointer)
    {
        var tokens = Tokens(pointer);
        var parentPointer = string.Concat(tokens[..^1].Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        var parent = Get(document, parentPointer)
            ?? throw new ApiStatusException(422, "Invalid", $"the server rejected our request due to an error in our request: parent of {pointer} is null");
        return (parent, tokens[^1]);
    }

    private static JsonNode? Add(JsonNode? document, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }

        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject o:
                o[last] = value;
                break;
            case JsonArray a when last == "-":
                a.Add(value);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count:
                a.Insert(i, value);
                break;
            default:
                throw new ApiStatusException(422, "Invalid", $"the server rejected our request due to an error in our request: cannot add at {path}");
        }

        return document;
    }

    private static JsonNode? Remove(JsonNode? document, string path, out JsonNode? removed)
    {
        if (path.Length == 0)
        {
            removed = document;
            return null;
        }

        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject o when o.TryGetPropertyValue(last, out var child):
                removed = child;
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default:
                throw new ApiStatusException(422, "Invalid", $"the server rejected our request due to an error in our request: json pointer {path} does not exist");
        }

        return document;
    }

    /// <summary>Parses a request body as JSON; malformed JSON is a 400 BadRequest.</summary>
    public static JsonNode? ParseBody(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw ApiStatusException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }
}
