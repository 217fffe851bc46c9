using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Isthmus.Api.V1Alpha1;

namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// Builds the JSON merge patch (RFC 7386) that the daemon sends to an IpsecTunnel's <c>/status</c>: the
/// fields it owns, and the whole <c>conditions</c> list with only its two entries replaced.
/// <para>
/// Why a read-modify-write: a merge patch replaces a list as a whole, and custom resources accept neither
/// strategic merge patches nor patch merge keys (those exist only for built-in types), so the daemon cannot send
/// only its two condition entries. It reads the tunnel, puts its entries into the list as read, and sends the
/// list with the <c>metadata.resourceVersion</c> it read: if the operator wrote in between, the API server
/// answers 409 Conflict and the daemon reads again, so the operator's conditions are never lost. (A JSON patch
/// by index would race the same way without the guard; server-side apply with a list-map would work per entry,
/// but the operator writes the same list with merge patches, so both would fight over field ownership.)
/// </para>
/// </summary>
public static class StatusPatch
{
    private static readonly JsonSerializerOptions WithoutNulls = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private static readonly JsonSerializerOptions WithNulls = new();

    /// <summary>What the daemon read of a tunnel and needs to patch it.</summary>
    public sealed record Current(string ResourceVersion, string? Uid, long? Generation, string? ActiveNode, long RekeyCount, JsonObject Status);

    /// <summary>Reads the parts of a tunnel (as the API server returned it) that <see cref="Build"/> needs.</summary>
    public static Current Read(JsonObject tunnel)
    {
        var metadata = tunnel["metadata"] as JsonObject;
        var status = tunnel["status"] as JsonObject ?? new JsonObject();
        return new Current(
            Text(metadata?["resourceVersion"]) ?? "",
            Text(metadata?["uid"]),
            Number(metadata?["generation"]),
            Text(status["activeNode"]),
            Number(status["rekeyCount"]) ?? 0,
            status);
    }

    /// <summary>
    /// The merge patch that makes the tunnel's status show <paramref name="desired"/>, or null when it already does.
    /// <paramref name="rekeyBaseline"/> is the rekey count the status held before this daemon started.
    /// </summary>
    public static JsonObject? Build(Current current, TunnelSaStatus desired, long rekeyBaseline)
    {
        var conditions = current.Status["conditions"] is JsonArray existing ? (JsonArray)existing.DeepClone() : new JsonArray();
        SetCondition(conditions, ConditionTypes.IkeSaEstablished, desired.IkeSaEstablished, current.Generation);
        SetCondition(conditions, ConditionTypes.ChildSaEstablished, desired.ChildSaEstablished, current.Generation);

        var status = new JsonObject
        {
            ["conditions"] = conditions,
            // All fields of ikeSa, nulls included: in a merge patch a null removes what an earlier SA left.
            ["ikeSa"] = desired.IkeSa is null ? null : JsonSerializer.SerializeToNode(desired.IkeSa, WithNulls),
            ["childSas"] = JsonSerializer.SerializeToNode(desired.ChildSas, WithoutNulls),
            ["rekeyCount"] = rekeyBaseline + desired.RekeyCount,
        };
        if (desired.LastRekeyAt is { } last)
        {
            status["lastRekeyAt"] = JsonSerializer.SerializeToNode(last);
        }

        // Compared as parsed JSON text, so that a typed value and the same value read from the wire are equal.
        var merged = JsonNode.Parse(MergePatch(current.Status, status)!.ToJsonString());
        if (JsonNode.DeepEquals(merged, JsonNode.Parse(current.Status.ToJsonString())))
        {
            return null;
        }
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["resourceVersion"] = current.ResourceVersion },
            ["status"] = status,
        };
    }

    /// <summary>
    /// Replaces (or appends) the entry of <paramref name="type"/>, keeping every other entry as read. As Kubernetes'
    /// <c>meta.SetStatusCondition</c>: lastTransitionTime changes only when the status changes.
    /// </summary>
    private static void SetCondition(JsonArray conditions, string type, DaemonCondition desired, long? generation)
    {
        var index = -1;
        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i] is JsonObject c && Text(c["type"]) == type)
            {
                index = i;
                break;
            }
        }
        var previous = index >= 0 ? (JsonObject)conditions[index]! : null;
        var status = desired.Status.ToString();
        var transition = previous is not null && Text(previous["status"]) == status && previous["lastTransitionTime"] is { } kept
            ? kept.DeepClone()
            : JsonSerializer.SerializeToNode(desired.Since);
        var entry = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["reason"] = desired.Reason,
            ["message"] = desired.Message,
            ["lastTransitionTime"] = transition,
        };
        if (generation is { } g)
        {
            entry["observedGeneration"] = g;
        }
        if (index >= 0)
        {
            conditions[index] = entry;
        }
        else
        {
            conditions.Add(entry);
        }
    }

    /// <summary>RFC 7386 merge: what the API server makes of <paramref name="patch"/> applied to <paramref name="target"/>.</summary>
    internal static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }
        return result;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static long? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number &&
        long.TryParse(v.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
}
