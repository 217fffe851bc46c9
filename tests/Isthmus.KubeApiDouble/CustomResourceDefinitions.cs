using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.ApiExtensions;
using Isthmus.ApiExtensions.Definitions;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.KubeApiDouble;

/// <summary>A CustomResourceDefinition the API server refuses, with its 422 Status and field errors.</summary>
public sealed class CustomResourceDefinitionInvalidException : ArgumentException
{
    internal CustomResourceDefinitionInvalidException(ApiStatusException status)
        : base(status.Message)
    {
        Status = status;
    }

    /// <summary>The 422 Invalid the API server answers, causes included.</summary>
    public ApiStatusException Status { get; }

    /// <summary>The field errors.</summary>
    public IReadOnlyList<FieldError> Errors => Status.Causes;
}

/// <summary>
/// CustomResourceDefinitions (<c>apiextensions.k8s.io/v1</c>) as the API server takes them in: defaulted (singular,
/// listKind, conversion), validated (names, versions, structural schemas, CEL rules within the cost budget, see
/// <see cref="CustomResourceDefinitionValidator"/>), then served: the resource of the storage version with its
/// schema (every write of it is decoded and validated), status subresource and <c>additionalPrinterColumns</c>, and
/// the CRD's status says <c>NamesAccepted</c> and <c>Established</c>.
/// </summary>
public static class CustomResourceDefinitions
{
    /// <summary>The resource a CRD (as JSON) defines, at its storage version, after the API server's validation.</summary>
    /// <exception cref="CustomResourceDefinitionInvalidException">The API server would refuse the CRD (its message in the exception's).</exception>
    /// <exception cref="ArgumentException">The object is not an apiextensions.k8s.io/v1 CustomResourceDefinition.</exception>
    public static ApiResource ToApiResource(JsonObject crd)
    {
        if (Str(crd, "kind") != "CustomResourceDefinition" || Str(crd, "apiVersion") != "apiextensions.k8s.io/v1")
        {
            throw new ArgumentException("not an apiextensions.k8s.io/v1 CustomResourceDefinition", nameof(crd));
        }

        var accepted = (JsonObject)crd.DeepClone();
        Default(accepted);
        var errors = CustomResourceDefinitionValidator.ValidateCreate(accepted);
        if (errors.Count > 0)
        {
            throw new CustomResourceDefinitionInvalidException(ApiStatusException.Invalid(ApiResources.CustomResourceDefinitions, Str(accepted["metadata"] as JsonObject ?? [], "name") ?? "", errors));
        }

        SetEstablished(accepted);
        return Served(accepted);
    }

    /// <summary>
    /// The API server's defaults of a CRD: <c>names.singular</c> (the lower-case kind), <c>names.listKind</c>
    /// (kind + "List") and <c>conversion.strategy</c> None.
    /// </summary>
    public static void Default(JsonObject crd)
    {
        if (crd["spec"] is not JsonObject spec)
        {
            return;
        }

        if (spec["names"] is JsonObject names && Str(names, "kind") is { Length: > 0 } kind)
        {
            names["singular"] ??= kind.ToLowerInvariant();
            names["listKind"] ??= kind + "List";
        }

        spec["conversion"] ??= new JsonObject { ["strategy"] = "None" };
    }

    /// <summary>Sets the status an established CRD has: accepted names, stored version, NamesAccepted and Established.</summary>
    public static void SetEstablished(JsonObject crd, DateTimeOffset? now = null)
    {
        var time = (now ?? DateTimeOffset.UtcNow).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var spec = crd["spec"] as JsonObject ?? [];
        var storage = (spec["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(v => v["storage"] is JsonValue s && s.GetValueKind() == JsonValueKind.True);
        var old = crd["status"] as JsonObject;
        JsonObject Condition(string type, string reason, string message) =>
            new()
            {
                ["type"] = type,
                ["status"] = "True",
                ["lastTransitionTime"] = (old?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => Str(c, "type") == type)?["lastTransitionTime"]?.DeepClone() ?? time,
                ["reason"] = reason,
                ["message"] = message,
            };
        crd["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted")),
            ["acceptedNames"] = spec["names"]?.DeepClone() ?? new JsonObject(),
            ["storedVersions"] = storage is null ? new JsonArray() : new JsonArray(JsonValue.Create(Str(storage, "name"))),
        };
    }

    /// <summary>The resource an accepted CRD serves: its storage version, with the schema writes are validated against.</summary>
    internal static ApiResource Served(JsonObject crd)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var group = Str(spec, "group")!;
        var plural = Str(names, "plural")!;
        var kind = Str(names, "kind")!;
        var versions = spec["versions"]!.AsArray().OfType<JsonObject>().ToList();
        var version = versions.First(v => v["storage"] is JsonValue s && s.GetValueKind() == JsonValueKind.True);
        var versionName = Str(version, "name")!;
        var columns = new List<PrinterColumn>();
        foreach (var c in (version["additionalPrinterColumns"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            columns.Add(new PrinterColumn(Str(c, "name")!, Str(c, "type") ?? "string", Str(c, "jsonPath")!)
            {
                Priority = c["priority"] is JsonValue p && int.TryParse(p.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var priority) ? priority : 0,
                Description = Str(c, "description") ?? "",
                Format = Str(c, "format") ?? "",
            });
        }

        // With no columns of its own, a CRD gets AGE (the API server's default column).
        if (columns.Count == 0)
        {
            columns.Add(new PrinterColumn("Age", "date", ".metadata.creationTimestamp"));
        }

        var schema = version["schema"]?["openAPIV3Schema"] as JsonObject;
        return new ApiResource(group, versionName, plural, Str(names, "singular") ?? plural, kind, Str(spec, "scope") == "Namespaced",
            HasStatusSubresource: version["subresources"]?["status"] is not null,
            TracksGeneration: true,
            IsCustomResource: true,
            ReturnsDeletedObject: true)
        {
            ShortNames = (names["shortNames"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").Where(n => n.Length > 0).ToList() ?? [],
            PrinterColumns = columns,
            Schema = schema is null ? null : new CustomResourceSchema(group, versionName, kind, (JsonObject)schema.DeepClone()),
            Definition = (JsonObject)crd.DeepClone(),
        };
    }

    /// <summary>
    /// <paramref name="resources"/> with each resource a CRD defines put in place of the one with the same group,
    /// version and plural (or added).
    /// </summary>
    public static IReadOnlyList<ApiResource> Replace(IEnumerable<ApiResource> resources, IEnumerable<ApiResource> fromCrds)
    {
        var result = resources.ToList();
        foreach (var crd in fromCrds)
        {
            var at = result.IndexOf(crd);
            if (at >= 0)
            {
                result[at] = crd;
            }
            else
            {
                result.Add(crd);
            }
        }

        return result;
    }

    private static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
