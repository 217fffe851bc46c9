using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// Serves a resource as a CustomResourceDefinition (<c>apiextensions.k8s.io/v1</c>) defines it: names, scope, the
/// storage version's status subresource and <c>additionalPrinterColumns</c>, so that <c>kubectl get</c> against the
/// double shows the columns of the generated <c>crds/*.yaml</c> rather than hand-written ones.
/// </summary>
public static class CustomResourceDefinitions
{
    /// <summary>The resource a CRD (as JSON) defines, at its storage version.</summary>
    /// <exception cref="ArgumentException">The object is not a CRD, or misses a required field (named in the message).</exception>
    public static ApiResource ToApiResource(JsonObject crd)
    {
        if (Str(crd, "kind") != "CustomResourceDefinition" || Str(crd, "apiVersion") != "apiextensions.k8s.io/v1")
        {
            throw new ArgumentException("not an apiextensions.k8s.io/v1 CustomResourceDefinition", nameof(crd));
        }

        var spec = crd["spec"] as JsonObject ?? throw Missing("spec");
        var names = spec["names"] as JsonObject ?? throw Missing("spec.names");
        var group = Str(spec, "group") ?? throw Missing("spec.group");
        var plural = Str(names, "plural") ?? throw Missing("spec.names.plural");
        var kind = Str(names, "kind") ?? throw Missing("spec.names.kind");
        var singular = Str(names, "singular") ?? plural;
        var scope = Str(spec, "scope") ?? throw Missing("spec.scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            throw new ArgumentException($"spec.scope: '{scope}' is not Namespaced or Cluster", nameof(crd));
        }

        var versions = (spec["versions"] as JsonArray)?.OfType<JsonObject>().ToList() ?? throw Missing("spec.versions");
        var version = versions.FirstOrDefault(v => v["storage"] is JsonValue s && s.GetValueKind() == JsonValueKind.True)
            ?? versions.FirstOrDefault()
            ?? throw Missing("spec.versions[0]");
        var versionName = Str(version, "name") ?? throw Missing("spec.versions[].name");
        var columns = new List<PrinterColumn>();
        foreach (var c in (version["additionalPrinterColumns"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = Str(c, "name") ?? throw Missing("additionalPrinterColumns[].name");
            columns.Add(new PrinterColumn(name, Str(c, "type") ?? "string", Str(c, "jsonPath") ?? throw Missing($"additionalPrinterColumns[{name}].jsonPath"))
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

        var subresources = version["subresources"] as JsonObject;
        return new ApiResource(group, versionName, plural, singular, kind, scope == "Namespaced",
            HasStatusSubresource: subresources?["status"] is not null,
            TracksGeneration: true,
            IsCustomResource: true,
            ReturnsDeletedObject: true)
        {
            ShortNames = (names["shortNames"] as JsonArray)?.Select(n => n?.GetValue<string>() ?? "").Where(n => n.Length > 0).ToList() ?? [],
            PrinterColumns = columns,
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
            var at = result.FindIndex(r => r.Group == crd.Group && r.Version == crd.Version && r.Plural == crd.Plural);
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

    private static ArgumentException Missing(string field) =>
        new($"the CustomResourceDefinition has no {field}", "crd");
}
