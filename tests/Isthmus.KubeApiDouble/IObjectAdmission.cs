using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// What a write goes through in the API server besides storage: decoding the request's object (for a custom resource:
/// pruning unknown fields, defaulting), then validating the object about to be stored. Either step refuses the write
/// by throwing an <see cref="ApiStatusException"/>.
/// </summary>
public interface IObjectAdmission
{
    /// <summary>Decodes the proposed object in place (the body of a create or update, or the patched object).</summary>
    void Decode(JsonObject proposed);

    /// <summary>
    /// Validates the object about to be stored; <paramref name="current"/> is the stored object on an update,
    /// <paramref name="status"/> tells a write to the <c>/status</c> subresource.
    /// </summary>
    void Validate(JsonObject next, JsonObject? current, bool status);
}
