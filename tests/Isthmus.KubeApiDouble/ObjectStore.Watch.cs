using System.Globalization;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>The watch half of the store: change history, subscriptions, bookmarks, drops and compaction.</summary>
public sealed partial class ObjectStore
{
    private readonly record struct Change(long ResourceVersion, ApiResource Resource, string Type, JsonObject? Old, JsonObject New, string Json);

    private readonly LinkedList<Change> _history = new();
    private readonly List<WatchSubscription> _watchers = [];
    private long _compactedThrough;

    /// <summary>How many changes are kept for watches that resume from a resourceVersion (default 10,000).</summary>
    public int HistoryLimit { get; set; } = 10_000;

    /// <summary>The number of open watches.</summary>
    public int WatchCount
    {
        get
        {
            lock (_gate)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>
    /// Opens a watch. With no resourceVersion (or <c>0</c>) it starts with a synthetic ADDED for every selected object;
    /// with a resourceVersion it replays the kept changes after it, and a resourceVersion older than the kept history
    /// gets a single ERROR event carrying a 410 Expired Status, as a real server sends. Changes that move an object into
    /// or out of the selection arrive as ADDED or DELETED.
    /// </summary>
    public WatchSubscription Watch(ApiResource resource, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion, bool bookmarks)
    {
        var sub = new WatchSubscription(this, resource, ns, labels, fields, bookmarks);
        lock (_gate)
        {
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var o in _objects[resource].Values.Where(sub.Selects))
                {
                    sub.Send("ADDED", o.ToJsonString());
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiStatusException.BadRequest($"invalid resource version: \"{resourceVersion}\"");
                }

                if (from < _compactedThrough)
                {
                    var gone = ApiStatusException.Gone($"too old resource version: {from} ({_compactedThrough + 1})");
                    sub.Send("ERROR", gone.ToStatus().ToJsonString());
                    sub.End(abort: false);
                    return sub;
                }

                foreach (var change in _history.Where(c => c.ResourceVersion > from && c.Resource == resource))
                {
                    Deliver(sub, change);
                }
            }

            _watchers.Add(sub);
        }

        return sub;
    }

    /// <summary>Sends a BOOKMARK with the current resourceVersion to every watch that asked for bookmarks.</summary>
    public void SendBookmarks()
    {
        lock (_gate)
        {
            var rv = _resourceVersion.ToString(CultureInfo.InvariantCulture);
            foreach (var sub in _watchers.Where(w => w.Bookmarks))
            {
                var bookmark = new JsonObject
                {
                    ["kind"] = sub.Resource.Kind,
                    ["apiVersion"] = sub.Resource.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = rv },
                };
                sub.Send("BOOKMARK", bookmark.ToJsonString());
            }
        }
    }

    /// <summary>
    /// Ends every open watch. With <paramref name="abortConnections"/> the connections are reset (a network failure);
    /// without, each response ends cleanly (as when a server closes a watch at its timeout).
    /// </summary>
    /// <returns>How many watches were dropped.</returns>
    public int DropWatches(bool abortConnections = true)
    {
        lock (_gate)
        {
            var count = _watchers.Count;
            foreach (var sub in _watchers)
            {
                sub.End(abortConnections);
            }

            _watchers.Clear();
            return count;
        }
    }

    /// <summary>Forgets all kept changes, so that a watch resuming from any past resourceVersion gets 410 Gone.</summary>
    public void CompactHistory()
    {
        lock (_gate)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    internal void Forget(WatchSubscription sub)
    {
        lock (_gate)
        {
            _watchers.Remove(sub);
        }
    }

    private void Record(ApiResource resource, JsonObject? old, JsonObject next, string type)
    {
        var change = new Change(_resourceVersion, resource, type, old, next, next.ToJsonString());
        _history.AddLast(change);
        while (_history.Count > HistoryLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var sub in _watchers)
        {
            if (sub.Resource == resource)
            {
                Deliver(sub, change);
            }
        }
    }

    private static void Deliver(WatchSubscription sub, Change change)
    {
        var nowSelected = sub.Selects(change.New);
        var wasSelected = change.Old is not null && sub.Selects(change.Old);
        var type = change.Type switch
        {
            "DELETED" => wasSelected || nowSelected ? "DELETED" : null,
            "ADDED" => nowSelected ? "ADDED" : null,
            _ => (wasSelected, nowSelected) switch
            {
                (true, true) => "MODIFIED",
                (false, true) => "ADDED",
                (true, false) => "DELETED",
                _ => null,
            },
        };
        if (type is not null)
        {
            sub.Send(type, change.Json);
        }
    }
}
