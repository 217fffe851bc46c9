using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Isthmus.Operator.Runtime.Cache;

/// <summary>
/// <see cref="IListWatcher{T}"/> over KubernetesClient's generated list calls (<c>watch=true</c>,
/// <c>allowWatchBookmarks=true</c>, <c>resourceVersion</c>): give it the list call of a kind and how to read
/// the list's items. Maps HTTP 410 (and a watch ERROR event with code 410) to
/// <see cref="ResourceVersionExpiredException"/>.
/// </summary>
public sealed class KubernetesListWatcher<T, TList> : IListWatcher<T>
    where T : IKubernetesObject<V1ObjectMeta>
    where TList : IMetadata<V1ListMeta>
{
    /// <summary>The list call: (watch, resourceVersion, allowWatchBookmarks, timeoutSeconds, cancellation).</summary>
    public delegate Task<HttpOperationResponse<TList>> ListCall(bool watch, string? resourceVersion, bool? allowWatchBookmarks, int? timeoutSeconds, CancellationToken cancellationToken);

    private readonly ListCall _call;
    private readonly Func<TList, IEnumerable<T>> _items;

    public KubernetesListWatcher(string description, ListCall call, Func<TList, IEnumerable<T>> items)
    {
        Description = description;
        _call = call;
        _items = items;
    }

    public string Description { get; }

    /// <summary>Server-side timeout of one watch request; the informer reopens the watch after it.</summary>
    public int WatchTimeoutSeconds { get; init; } = 300;

    public async Task<ListResult<T>> ListAsync(CancellationToken cancellationToken)
    {
        using var response = await Translate(() => _call(false, null, null, null, cancellationToken)).ConfigureAwait(false);
        var list = response.Body;
        return new ListResult<T>(_items(list).ToList(), list.Metadata?.ResourceVersion ?? "");
    }

    public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = Translate(() => _call(true, resourceVersion, true, WatchTimeoutSeconds, cancellationToken));
        // The typed WatchAsync over a list call is the one path that decodes custom resources into T (the
        // generated WatchListCustomObject*Async calls yield untyped objects), so keep it despite the notice.
#pragma warning disable CS0618
        // KubernetesClient hands an ERROR event (410 Expired arrives as one, with HTTP 200) only to onError and then
        // ends the stream: keep it, so the end of the stream can be told apart from an expired resourceVersion.
        Exception? streamError = null;
        var stream = request.WatchAsync<T, TList>(onError: e => streamError = e, cancellationToken: cancellationToken);
#pragma warning restore CS0618
        await using var enumerator = stream.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (KubernetesException e) when (e.Status?.Code == (int)HttpStatusCode.Gone)
            {
                throw new ResourceVersionExpiredException(e.Status?.Message ?? "410 Gone", e);
            }
            if (!more)
            {
                if (streamError is KubernetesException { Status.Code: (int)HttpStatusCode.Gone } gone)
                {
                    throw new ResourceVersionExpiredException(gone.Status?.Message ?? "410 Gone", gone);
                }
                yield break;
            }
            yield return enumerator.Current;
        }
    }

    private static async Task<HttpOperationResponse<TList>> Translate(Func<Task<HttpOperationResponse<TList>>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
        {
            throw new ResourceVersionExpiredException("410 Gone", e);
        }
    }
}
