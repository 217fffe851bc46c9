using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Validation;

/// <summary>The CustomResourceDefinitions in a directory, by apiVersion and kind, with the API server's admission checks.</summary>
internal sealed class CrdCatalog
{
    private readonly Dictionary<(string ApiVersion, string Kind), JsonObject> _schemas = [];

    public CrdCatalog(string directory)
    {
        foreach (var file in Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var doc in YamlDocuments.Load(file).OfType<JsonObject>())
            {
                Crds.Add(doc);
                var group = doc["spec"]!["group"]!.GetValue<string>();
                var kind = doc["spec"]!["names"]!["kind"]!.GetValue<string>();
                foreach (var version in doc["spec"]!["versions"]!.AsArray())
                {
                    _schemas[($"{group}/{version!["name"]!.GetValue<string>()}", kind)] =
                        version["schema"]!["openAPIV3Schema"]!.AsObject();
                }
            }
        }
    }

    public static CrdCatalog Repository { get; } = new(RepositoryPaths.Crds);

    public List<JsonObject> Crds { get; } = [];

    public JsonObject Schema(string apiVersion, string kind) => _schemas[(apiVersion, kind)];

    public bool Serves(JsonObject manifest) => _schemas.ContainsKey(Key(manifest));

    /// <summary>Admission of a manifest as the API server would do it; the manifest is defaulted in place.</summary>
    public IReadOnlyList<string> Admit(JsonObject manifest) =>
        _schemas.TryGetValue(Key(manifest), out var schema)
            ? StructuralSchemaValidator.Validate(schema, manifest)
            : [$"no CRD serves {Key(manifest)}"];

    private static (string, string) Key(JsonObject manifest) =>
        (manifest["apiVersion"]?.GetValue<string>() ?? "", manifest["kind"]?.GetValue<string>() ?? "");
}
