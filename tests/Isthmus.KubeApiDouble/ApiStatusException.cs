using System.Text.Json.Nodes;
using Isthmus.ApiExtensions;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// A failed API call, answered with a <c>meta/v1 Status</c> body: <c>{"kind":"Status","status":"Failure",
/// "reason":"NotFound","code":404,...}</c>, exactly as clients parse it.
/// </summary>
public sealed class ApiStatusException : Exception
{
    /// <summary>Creates a failure with an HTTP code, a machine-readable reason and a message.</summary>
    public ApiStatusException(int code, string reason, string message, ApiResource? resource = null, string? name = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Resource = resource;
        Name = name;
    }

    /// <summary>The field errors behind a 422 Invalid, reported as <c>details.causes</c>.</summary>
    public IReadOnlyList<FieldError> Causes { get; init; } = [];

    /// <summary><c>details.kind</c> when it is not the resource's plural (an Invalid names the kind).</summary>
    public string? DetailsKind { get; init; }

    /// <summary>The HTTP status code.</summary>
    public int Code { get; }

    /// <summary>The Status reason, e.g. <c>NotFound</c>, <c>AlreadyExists</c>, <c>Conflict</c>, <c>Expired</c>.</summary>
    public string Reason { get; }

    /// <summary>The resource the failure concerns, if any.</summary>
    public ApiResource? Resource { get; }

    /// <summary>The object name the failure concerns, if any.</summary>
    public string? Name { get; }

    /// <summary>The Status body.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Resource is not null || Name is not null)
        {
            var details = new JsonObject();
            if (Name is not null)
            {
                details["name"] = Name;
            }

            if (Resource is not null)
            {
                details["group"] = Resource.Group;
                details["kind"] = DetailsKind ?? Resource.Plural;
            }

            if (Causes.Count > 0)
            {
                details["causes"] = new JsonArray(Causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = c.CauseType,
                    ["message"] = c.Body,
                    ["field"] = c.Field,
                }).ToArray());
            }

            status["details"] = details;
        }

        return status;
    }

    internal static ApiStatusException NotFound(ApiResource resource, string name) =>
        new(404, "NotFound", $"{resource.QualifiedName} \"{name}\" not found", resource, name);

    internal static ApiStatusException AlreadyExists(ApiResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource.QualifiedName} \"{name}\" already exists", resource, name);

    internal static ApiStatusException Conflict(ApiResource resource, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {resource.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            resource, name);

    internal static ApiStatusException BadRequest(string message) => new(400, "BadRequest", message);

    internal static ApiStatusException Invalid(ApiResource resource, string name, string message) =>
        new(422, "Invalid", $"{resource.QualifiedKind} \"{name}\" is invalid: {message}", resource, name) { DetailsKind = resource.Kind };

    /// <summary>
    /// A 422 Invalid as the API server answers a write that fails validation:
    /// <c>IpsecTunnel.ipsec.isthmus.dev "t" is invalid: [spec.a: ..., spec.b: ...]</c>, one cause per field error.
    /// </summary>
    public static ApiStatusException Invalid(ApiResource resource, string name, IReadOnlyList<FieldError> errors) =>
        new(422, "Invalid", $"{resource.QualifiedKind} {FieldError.Quote(name)} is invalid: {FieldError.Aggregate(errors)}", resource, name)
        {
            DetailsKind = resource.Kind,
            Causes = errors,
        };

    internal static ApiStatusException Gone(string message) => new(410, "Expired", message);

    internal static ApiStatusException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {contentType}");

    internal static ApiStatusException MethodNotAllowed(string verb, string path) =>
        new(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({verb} {path})");
}
