using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// One open watch: the events it will stream, as JSON lines (<c>{"type":"ADDED","object":{...}}</c>), in
/// resourceVersion order. Ends when the client goes away, the watch times out, or a test drops it.
/// </summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;
    private readonly Channel<string> _events = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    internal WatchSubscription(ObjectStore store, ApiResource resource, string? ns, LabelSelector labels, FieldSelector fields, bool bookmarks)
    {
        _store = store;
        Resource = resource;
        Namespace = ns;
        Labels = labels;
        Fields = fields;
        Bookmarks = bookmarks;
    }

    /// <summary>The resource watched.</summary>
    public ApiResource Resource { get; }

    /// <summary>The namespace watched; null for all namespaces or a cluster-scoped resource.</summary>
    public string? Namespace { get; }

    internal LabelSelector Labels { get; }

    internal FieldSelector Fields { get; }

    /// <summary>Whether the client asked for BOOKMARK events (<c>allowWatchBookmarks=true</c>).</summary>
    public bool Bookmarks { get; }

    /// <summary>Whether the watch was dropped by <see cref="ObjectStore.DropWatches"/> with an aborted connection.</summary>
    public bool Aborted { get; private set; }

    /// <summary>The event lines to send.</summary>
    public ChannelReader<string> Events => _events.Reader;

    internal bool Selects(JsonObject obj) =>
        (Namespace is null || Meta.Namespace(obj) == Namespace) && Labels.Matches(obj) && Fields.Matches(obj);

    internal void Send(string type, string objectJson) =>
        _events.Writer.TryWrite("{\"type\":\"" + type + "\",\"object\":" + objectJson + "}");

    internal void End(bool abort)
    {
        Aborted = abort;
        _events.Writer.TryComplete();
    }

    /// <summary>Stops the watch and forgets it.</summary>
    public void Dispose()
    {
        _events.Writer.TryComplete();
        _store.Forget(this);
    }
}
