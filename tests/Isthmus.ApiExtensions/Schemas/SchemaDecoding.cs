using System.Text.Json.Nodes;

namespace Isthmus.ApiExtensions.Schemas;

/// <summary>
/// What the API server does to a custom resource while decoding it, before any validation: it prunes the fields
/// the structural schema does not declare (reporting each, for <c>fieldValidation=Strict</c> and <c>Warn</c>),
/// drops nulls of fields that are not nullable, and fills in <c>default</c>s, top-down, so that a defaulted object
/// gets its own defaults too.
/// </summary>
public static class SchemaDecoding
{
    /// <summary>
    /// Removes the fields <paramref name="schema"/> does not declare from <paramref name="value"/> and returns their
    /// paths in order (<c>spec.ike.proposal</c>, <c>spec.remote[0].foo</c>). At the resource root, <c>apiVersion</c>,
    /// <c>kind</c> and <c>metadata</c> are the API server's own and are kept.
    /// </summary>
    public static List<string> Prune(JsonObject schema, JsonNode? value, bool isResourceRoot)
    {
        var pruned = new List<string>();
        Prune(schema, value, "", isResourceRoot, pruned);
        pruned.Sort(StringComparer.Ordinal);
        return pruned;
    }

    private static void Prune(JsonObject schema, JsonNode? value, string path, bool isRoot, List<string> pruned)
    {
        switch (value)
        {
            case JsonObject obj:
            {
                var properties = schema["properties"] as JsonObject;
                var additional = schema["additionalProperties"] as JsonObject;
                var preserve = Json.Bool(schema, "x-kubernetes-preserve-unknown-fields") || schema["additionalProperties"] is JsonValue;
                var embedded = Json.Bool(schema, "x-kubernetes-embedded-resource");
                foreach (var (name, child) in obj.ToList())
                {
                    if ((isRoot || embedded) && name is "apiVersion" or "kind" or "metadata")
                    {
                        continue;
                    }

                    var childPath = Json.Join(path, name);
                    if (properties?[name] is JsonObject propertySchema)
                    {
                        Prune(propertySchema, child, childPath, Json.Bool(propertySchema, "x-kubernetes-embedded-resource"), pruned);
                    }
                    else if (additional is not null)
                    {
                        Prune(additional, child, childPath, Json.Bool(additional, "x-kubernetes-embedded-resource"), pruned);
                    }
                    else if (!preserve)
                    {
                        obj.Remove(name);
                        pruned.Add(childPath);
                    }
                }

                break;
            }

            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    Prune(items, array[i], $"{path}[{i}]", Json.Bool(items, "x-kubernetes-embedded-resource"), pruned);
                }

                break;
        }
    }

    /// <summary>
    /// Drops nulls of fields that are not nullable (replacing them by the default when there is one) and fills in
    /// absent fields that have a default, top-down.
    /// </summary>
    public static void Default(JsonObject schema, JsonNode? value)
    {
        switch (value)
        {
            case JsonObject obj when schema["properties"] is JsonObject properties:
                foreach (var (name, propertyNode) in properties)
                {
                    if (propertyNode is not JsonObject property)
                    {
                        continue;
                    }

                    var present = obj.TryGetPropertyValue(name, out var child);
                    if (present && child is null && !Json.Bool(property, "nullable"))
                    {
                        obj.Remove(name);
                        present = false;
                    }

                    if (!present && property["default"] is { } dflt)
                    {
                        obj[name] = dflt.DeepClone();
                    }

                    if (obj[name] is { } set)
                    {
                        Default(property, set);
                    }
                }

                break;
            case JsonObject obj when schema["additionalProperties"] is JsonObject additional:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is null && !Json.Bool(additional, "nullable"))
                    {
                        obj.Remove(name);
                        if (additional["default"] is { } dflt)
                        {
                            obj[name] = dflt.DeepClone();
                        }
                    }

                    if (obj[name] is { } set)
                    {
                        Default(additional, set);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is null && !Json.Bool(items, "nullable") && items["default"] is { } dflt)
                    {
                        array[i] = dflt.DeepClone();
                    }

                    Default(items, array[i]);
                }

                break;
        }
    }
}
