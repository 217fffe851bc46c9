namespace Isthmus.Operator.Runtime.Cache;

/// <summary>Receives the changes an <see cref="Informer{T}"/> sees. Calls are serialized per informer.</summary>
public interface IResourceEventHandler<in T>
{
    /// <summary>An object appeared (first list, relist, or an ADDED watch event).</summary>
    void OnAdded(T obj);

    /// <summary>An object changed; <paramref name="old"/> is the previously cached copy. Also called on periodic resync with old == new.</summary>
    void OnUpdated(T old, T @new);

    /// <summary>An object was deleted (DELETED event, or missing from a relist).</summary>
    void OnDeleted(T obj);
}

/// <summary>An <see cref="IResourceEventHandler{T}"/> from delegates; a missing delegate ignores that change.</summary>
public sealed class ResourceEventHandler<T>(Action<T>? added = null, Action<T, T>? updated = null, Action<T>? deleted = null) : IResourceEventHandler<T>
{
    public void OnAdded(T obj) => added?.Invoke(obj);

    public void OnUpdated(T old, T @new) => updated?.Invoke(old, @new);

    public void OnDeleted(T obj) => deleted?.Invoke(obj);
}
