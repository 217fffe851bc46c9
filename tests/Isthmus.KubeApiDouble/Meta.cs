using System.Globalization;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>Helpers over <c>metadata</c> of objects kept as <see cref="JsonObject"/>.</summary>
internal static class Meta
{
    public static JsonObject Of(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject m)
        {
            return m;
        }

        var created = new JsonObject();
        obj["metadata"] = created;
        return created;
    }

    public static string? Str(JsonObject obj, string name) =>
        obj[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static string? Name(JsonObject obj) => Str(Of(obj), "name");

    public static string? Namespace(JsonObject obj) => Str(Of(obj), "namespace");

    public static string? ResourceVersion(JsonObject obj) => Str(Of(obj), "resourceVersion");

    public static string? Uid(JsonObject obj) => Str(Of(obj), "uid");

    public static long Generation(JsonObject obj) =>
        Of(obj)["generation"] is JsonValue v && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var g) ? g : 0;

    public static bool IsDeleting(JsonObject obj) => Of(obj)["deletionTimestamp"] is not null;

    public static List<string> Finalizers(JsonObject obj) =>
        Of(obj)["finalizers"] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList()
            : [];

    public static List<string> OwnerUids(JsonObject obj) =>
        Of(obj)["ownerReferences"] is JsonArray a
            ? a.OfType<JsonObject>().Select(o => Str(o, "uid") ?? "").ToList()
            : [];

    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Key(string? ns, string name) => (ns ?? "") + "/" + name;
}
