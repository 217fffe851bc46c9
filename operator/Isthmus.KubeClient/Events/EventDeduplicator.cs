namespace Isthmus.KubeClient.Events;

/// <summary>
/// Remembers recently recorded events so that a repeat (same object, type, reason, action and note within
/// <see cref="Window"/>) updates the existing Event's series instead of creating a new Event, as client-go's
/// events broadcaster does. Bounded: the oldest entries are dropped beyond <see cref="Capacity"/>.
/// </summary>
public sealed class EventDeduplicator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new();
    private readonly TimeProvider _time;

    public EventDeduplicator(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(6);

    public int Capacity { get; init; } = 4096;

    /// <summary>An Event already recorded: its name, namespace and how often it occurred.</summary>
    public sealed record Entry(string EventName, string Namespace, int Count, DateTimeOffset LastSeen);

    /// <summary>
    /// Looks up the event; returns the existing entry with its count incremented when it is a repeat
    /// within the window, or null when a new Event must be created.
    /// </summary>
    public Entry? Repeat(EventReference regarding, EventType type, string reason, string action, string note)
    {
        var key = Key(regarding, type, reason, action, note);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry) && now - entry.LastSeen <= Window)
            {
                var updated = entry with { Count = entry.Count + 1, LastSeen = now };
                _entries[key] = updated;
                return updated;
            }
            return null;
        }
    }

    /// <summary>Remembers a newly created Event.</summary>
    public void Created(EventReference regarding, EventType type, string reason, string action, string note, string eventName)
    {
        var key = Key(regarding, type, reason, action, note);
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            if (_entries.Count >= Capacity)
            {
                foreach (var stale in _entries.OrderBy(p => p.Value.LastSeen).Take(_entries.Count - Capacity + 1).Select(p => p.Key).ToList())
                {
                    _entries.Remove(stale);
                }
            }
            _entries[key] = new Entry(eventName, regarding.Namespace, 1, now);
        }
    }

    /// <summary>Forgets an entry whose Event could not be updated (e.g. it expired on the server).</summary>
    public void Forget(EventReference regarding, EventType type, string reason, string action, string note)
    {
        lock (_lock)
        {
            _entries.Remove(Key(regarding, type, reason, action, note));
        }
    }

    private static string Key(EventReference r, EventType type, string reason, string action, string note) =>
        string.Join('\u001f', r.Kind, r.Namespace, r.Name, r.Uid ?? "", type, reason, action, note);
}
