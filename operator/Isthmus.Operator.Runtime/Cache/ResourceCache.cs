using k8s;
using k8s.Models;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>
/// The informer's local copy of one kind: the latest object per namespace/name, read by reconcilers without
/// calling the API server. Objects handed out must be treated as read-only (copy before changing).
/// </summary>
public sealed class ResourceCache<T> where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _lock = new();
    private Dictionary<ObjectKey, T> _items = new();

    /// <summary>True once the first list has been loaded.</summary>
    public bool HasSynced { get; private set; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public T? Get(ObjectKey key)
    {
        lock (_lock)
        {
            return _items.TryGetValue(key, out var item) ? item : null;
        }
    }

    public T? Get(string @namespace, string name) => Get(new ObjectKey(@namespace, name));

    /// <summary>A snapshot of all objects, in no particular order.</summary>
    public IReadOnlyList<T> List()
    {
        lock (_lock)
        {
            return [.. _items.Values];
        }
    }

    /// <summary>A snapshot of the objects of one namespace.</summary>
    public IReadOnlyList<T> List(string @namespace)
    {
        lock (_lock)
        {
            return _items.Where(p => p.Key.Namespace == @namespace).Select(p => p.Value).ToList();
        }
    }

    /// <summary>Replaces the content with a fresh list; returns the objects that disappeared.</summary>
    internal IReadOnlyList<T> Replace(IEnumerable<T> items)
    {
        var fresh = new Dictionary<ObjectKey, T>();
        foreach (var item in items)
        {
            fresh[ObjectKey.Of(item)] = item;
        }
        lock (_lock)
        {
            var gone = _items.Where(p => !fresh.ContainsKey(p.Key)).Select(p => p.Value).ToList();
            _items = fresh;
            HasSynced = true;
            return gone;
        }
    }

    /// <summary>Stores <paramref name="item"/> and returns the object it replaced, if any.</summary>
    internal T? Upsert(T item)
    {
        var key = ObjectKey.Of(item);
        lock (_lock)
        {
            _items.TryGetValue(key, out var old);
            _items[key] = item;
            return old;
        }
    }

    /// <summary>Removes the object with <paramref name="item"/>'s key; returns the cached copy, if any.</summary>
    internal T? Remove(T item)
    {
        var key = ObjectKey.Of(item);
        lock (_lock)
        {
            return _items.Remove(key, out var old) ? old : null;
        }
    }
}
