using System.Text.Json.Nodes;

namespace Isthmus.ApiExtensions.Schemas;

/// <summary>How the API server treats fields a schema does not declare (the <c>fieldValidation</c> query parameter).</summary>
public enum FieldValidation
{
    /// <summary>Drop them silently.</summary>
    Ignore,

    /// <summary>Drop them and warn (a <c>Warning</c> header per field); the default when the parameter is absent.</summary>
    Warn,

    /// <summary>Refuse the request (400 BadRequest, "strict decoding error").</summary>
    Strict,
}

/// <summary>
/// The schema of one served version of a custom resource, and what the API server does with an object of it:
/// decode (prune unknown fields, drop nulls, default) and validate (<see cref="CustomResourceValidator"/>), with the
/// API server's messages for a refusal.
/// </summary>
public sealed class CustomResourceSchema
{
    /// <summary>Creates the schema of <paramref name="kind"/> in <paramref name="group"/>/<paramref name="version"/>.</summary>
    public CustomResourceSchema(string group, string version, string kind, JsonObject openApiV3Schema)
    {
        Group = group;
        Version = version;
        Kind = kind;
        OpenApiV3Schema = openApiV3Schema;
    }

    /// <summary>The API group.</summary>
    public string Group { get; }

    /// <summary>The version.</summary>
    public string Version { get; }

    /// <summary>The kind.</summary>
    public string Kind { get; }

    /// <summary>The version's <c>openAPIV3Schema</c>.</summary>
    public JsonObject OpenApiV3Schema { get; }

    /// <summary>The kind qualified by its group, as Invalid messages name it: <c>IpsecTunnel.ipsec.isthmus.dev</c>.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : Kind + "." + Group;

    /// <summary>
    /// Decodes <paramref name="obj"/> in place as the API server does: removes the fields the schema does not
    /// declare and returns their paths, drops nulls of fields that are not nullable, applies defaults.
    /// </summary>
    public List<string> Decode(JsonObject obj)
    {
        var unknown = SchemaDecoding.Prune(OpenApiV3Schema, obj, isResourceRoot: true);
        SchemaDecoding.Default(OpenApiV3Schema, obj);
        return unknown;
    }

    /// <summary>The errors of a decoded object (see <see cref="CustomResourceValidator.Validate"/>).</summary>
    public List<FieldError> Validate(JsonObject obj, ValidationScope scope = ValidationScope.Whole, JsonObject? old = null) =>
        CustomResourceValidator.Validate(OpenApiV3Schema, obj, scope, old);

    /// <summary>
    /// The 400 message for unknown fields under <c>fieldValidation=Strict</c> on create and update:
    /// <c>IpsecTunnel in version "v1alpha1" cannot be handled as a IpsecTunnel: strict decoding error: unknown field "spec.foo"</c>.
    /// </summary>
    public string StrictDecodingMessage(IEnumerable<string> unknownFields) =>
        $"{Kind} in version \"{Version}\" cannot be handled as a {Kind}: {StrictDecodingError(unknownFields)}";

    /// <summary>The strict decoding error itself (a patch reports only this): <c>strict decoding error: unknown field "spec.foo"</c>.</summary>
    public static string StrictDecodingError(IEnumerable<string> unknownFields) =>
        "strict decoding error: " + string.Join(", ", unknownFields.Select(UnknownFieldWarning));

    /// <summary>The warning for one pruned field: <c>unknown field "spec.foo"</c>.</summary>
    public static string UnknownFieldWarning(string path) => $"unknown field {FieldError.Quote(path)}";

    /// <summary>The 422 message: <c>IpsecTunnel.ipsec.isthmus.dev "name" is invalid: spec.x: Invalid value: ...</c>.</summary>
    public string InvalidMessage(string name, IEnumerable<FieldError> errors) =>
        $"{QualifiedKind} {FieldError.Quote(name)} is invalid: {FieldError.Aggregate(errors)}";
}
