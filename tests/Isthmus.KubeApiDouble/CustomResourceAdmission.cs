using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// A write of a custom resource as the API server handles it, against the schema of its CustomResourceDefinition:
/// the request's object is pruned of the fields the schema does not declare (refused with 400 under
/// <c>fieldValidation=Strict</c>, a <c>Warning</c> per field under <c>Warn</c>, the default, silently under
/// <c>Ignore</c>) and defaulted; the object about to be stored is validated (types, enums, patterns, ranges, lengths,
/// counts, required fields, list types, then the CEL rules) and refused with 422 Invalid. A write to the main
/// resource ignores <c>status</c>, a write to <c>/status</c> validates only <c>status</c>.
/// </summary>
internal sealed class CustomResourceAdmission : IObjectAdmission
{
    private readonly ApiResource _resource;
    private readonly CustomResourceSchema _schema;
    private readonly FieldValidation _fieldValidation;
    private readonly bool _patch;

    public CustomResourceAdmission(ApiResource resource, CustomResourceSchema schema, FieldValidation fieldValidation, bool patch)
    {
        _resource = resource;
        _schema = schema;
        _fieldValidation = fieldValidation;
        _patch = patch;
    }

    /// <summary>The warnings for the response (one per pruned field under <c>Warn</c>).</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>
    /// The <c>fieldValidation</c> query parameter: Ignore, Warn or Strict; absent means Warn, as on the API server.
    /// </summary>
    public static FieldValidation Parse(string? value) => value switch
    {
        null or "" or "Warn" => FieldValidation.Warn,
        "Ignore" => FieldValidation.Ignore,
        "Strict" => FieldValidation.Strict,
        _ => throw ApiStatusException.BadRequest($"fieldValidation parameter unsupported: {value}. Supported values: Ignore, Strict, Warn"),
    };

    public void Decode(JsonObject proposed)
    {
        var unknown = _schema.Decode(proposed);
        if (unknown.Count == 0)
        {
            return;
        }

        switch (_fieldValidation)
        {
            case FieldValidation.Strict:
                // A create or update reports the object's kind and version; a patch only the decoding error.
                throw ApiStatusException.BadRequest(_patch ? CustomResourceSchema.StrictDecodingError(unknown) : _schema.StrictDecodingMessage(unknown));
            case FieldValidation.Warn:
                Warnings.AddRange(unknown.Select(CustomResourceSchema.UnknownFieldWarning));
                break;
        }
    }

    public void Validate(JsonObject next, JsonObject? current, bool status)
    {
        var scope = status ? ValidationScope.StatusOnly
            : _resource.HasStatusSubresource ? ValidationScope.SkipStatus
            : ValidationScope.Whole;
        var errors = _schema.Validate(next, scope, current);
        if (errors.Count > 0)
        {
            throw ApiStatusException.Invalid(_resource, Meta.Name(next) ?? "", errors);
        }
    }
}
