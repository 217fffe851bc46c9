using System.Text.Json.Nodes;
using Isthmus.ApiExtensions;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.Crd.Tests.Validation;

/// <summary>
/// The CustomResourceDefinitions in a directory, by apiVersion and kind, with the API server's admission of a
/// custom resource (decoding with strict field validation, as <c>kubectl apply</c> asks for, then validation).
/// </summary>
internal sealed class CrdCatalog
{
    private readonly Dictionary<(string ApiVersion, string Kind), CustomResourceSchema> _schemas = [];

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
                    var name = version!["name"]!.GetValue<string>();
                    _schemas[($"{group}/{name}", kind)] = new CustomResourceSchema(group, name, kind, version["schema"]!["openAPIV3Schema"]!.AsObject());
                }
            }
        }
    }

    public static CrdCatalog Repository { get; } = new(RepositoryPaths.Crds);

    public List<JsonObject> Crds { get; } = [];

    public JsonObject Schema(string apiVersion, string kind) => _schemas[(apiVersion, kind)].OpenApiV3Schema;

    public bool Serves(JsonObject manifest) => _schemas.ContainsKey(Key(manifest));

    /// <summary>
    /// Admission of a manifest as the API server does it on create; the manifest is decoded (pruned, defaulted) in
    /// place. Returns the refusal: the strict decoding error for unknown fields, or each field error.
    /// </summary>
    public IReadOnlyList<string> Admit(JsonObject manifest, FieldValidation fieldValidation = FieldValidation.Strict)
    {
        if (!_schemas.TryGetValue(Key(manifest), out var schema))
        {
            return [$"no CRD serves {Key(manifest)}"];
        }

        var unknown = schema.Decode(manifest);
        if (unknown.Count > 0 && fieldValidation == FieldValidation.Strict)
        {
            return [schema.StrictDecodingMessage(unknown)];
        }

        return schema.Validate(manifest).Select(e => e.ToString()).ToList();
    }

    /// <summary>The errors of <see cref="Admit"/> without the note that the rules were skipped.</summary>
    public IReadOnlyList<string> AdmitErrors(JsonObject manifest, FieldValidation fieldValidation = FieldValidation.Strict) =>
        Admit(manifest, fieldValidation).Where(e => !e.EndsWith(CustomResourceValidator.RulesNotCheckedDetail, StringComparison.Ordinal)).ToList();

    private static (string, string) Key(JsonObject manifest) =>
        (manifest["apiVersion"]?.GetValue<string>() ?? "", manifest["kind"]?.GetValue<string>() ?? "");
}
