using k8s;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>A page of a list: the objects and the collection's resourceVersion to start a watch from.</summary>
public sealed record ListResult<T>(IReadOnlyList<T> Items, string ResourceVersion);

/// <summary>
/// How an <see cref="Informer{T}"/> reaches one kind on the API server: a list, and a watch from a
/// resourceVersion with bookmarks. A watch that the server rejects because the version is too old
/// throws <see cref="ResourceVersionExpiredException"/> (HTTP 410 Gone); the informer then lists again.
/// </summary>
public interface IListWatcher<T>
{
    /// <summary>Human-readable name of the kind and scope, for logs (e.g. <c>secrets (all namespaces)</c>).</summary>
    string Description { get; }

    Task<ListResult<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/>; the stream ends when the server closes the watch.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, CancellationToken cancellationToken);
}
