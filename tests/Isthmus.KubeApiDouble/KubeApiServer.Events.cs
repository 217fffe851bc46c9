using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// Events through both APIs. A real API server keeps one store of Events and serves it as <c>core/v1</c> and as
/// <c>events.k8s.io/v1</c>, so an Event recorded through either is listed by both (<c>kubectl describe</c> reads
/// <c>core/v1</c> with <c>fieldSelector=involvedObject.*</c>; the operator and the IKE daemon write
/// <c>events.k8s.io/v1</c>). The double keeps the two apart and, on GET and LIST, adds the other API's Events
/// converted field by field (<c>regarding</c> = <c>involvedObject</c>, <c>note</c> = <c>message</c>,
/// <c>reportingController</c> = <c>reportingComponent</c>, <c>deprecatedCount</c> = <c>count</c>, ...). Watches
/// see only the Events written through the API watched.
/// </summary>
public sealed partial class KubeApiServer
{
    // core/v1 field = events.k8s.io/v1 field (the rest, e.g. reason, type, eventTime, series, action, keep their names).
    private static readonly (string Core, string EventsV1)[] EventFieldPairs =
    [
        ("involvedObject", "regarding"),
        ("message", "note"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
        ("reportingComponent", "reportingController"),
    ];

    private static bool IsCoreEvents(ApiResource r) => r.Group.Length == 0 && r.Version == "v1" && r.Plural == "events";

    private static bool IsEventsV1(ApiResource r) => r.Group == "events.k8s.io" && r.Version == "v1" && r.Plural == "events";

    /// <summary>The other API's Events resource when <paramref name="resource"/> is one of the two and both are served.</summary>
    private ApiResource? OtherEventsApi(ApiResource resource) =>
        IsCoreEvents(resource) ? Store.FindResource("events.k8s.io", "v1", "events")
        : IsEventsV1(resource) ? Store.FindResource("", "v1", "events")
        : null;

    /// <summary>An Event of one API in the shape of <paramref name="target"/>'s API.</summary>
    internal static JsonObject ConvertEvent(JsonObject source, ApiResource target)
    {
        var toCore = IsCoreEvents(target);
        var converted = (JsonObject)source.DeepClone();
        converted["apiVersion"] = target.ApiVersion;
        converted["kind"] = "Event";
        foreach (var (core, eventsV1) in EventFieldPairs)
        {
            var (from, to) = toCore ? (eventsV1, core) : (core, eventsV1);
            if (converted[from] is { } value)
            {
                converted.Remove(from);
                converted[to] = value;
            }
        }

        return converted;
    }

    /// <summary>A LIST of Events with the other API's matching Events added (names already listed win).</summary>
    private JsonObject MergeOtherEvents(ApiResource resource, string? ns, LabelSelector labels, FieldSelector fields, JsonObject list)
    {
        if (OtherEventsApi(resource) is not { } other)
        {
            return list;
        }

        var items = (JsonArray)list["items"]!;
        var present = items.OfType<JsonObject>().Select(o => Meta.Key(Meta.Namespace(o), Meta.Name(o) ?? "")).ToHashSet();
        foreach (var e in Store.ReadAll(other, ns))
        {
            var converted = ConvertEvent(e, resource);
            if (labels.Matches(converted) && fields.Matches(converted) && present.Add(Meta.Key(Meta.Namespace(converted), Meta.Name(converted) ?? "")))
            {
                items.Add(converted);
            }
        }

        return list;
    }

    /// <summary>A GET of an Event that falls back to the other API's Event of that name.</summary>
    private JsonObject GetWithOtherEvents(ApiResource resource, string? ns, string name)
    {
        if (Store.Read(resource, ns, name) is { } own)
        {
            return own;
        }

        return OtherEventsApi(resource) is { } other && Store.Read(other, ns, name) is { } found
            ? ConvertEvent(found, resource)
            : throw ApiStatusException.NotFound(resource, name);
    }
}
