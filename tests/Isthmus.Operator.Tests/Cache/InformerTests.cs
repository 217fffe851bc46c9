using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Isthmus.Operator.Runtime.Cache;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isthmus.Operator.Tests.Cache;

public sealed class InformerTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private static V1Secret Obj(string name, string rv) => new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = rv } };

    /// <summary>A scripted API: each list returns the next snapshot; each watch replays the next script.</summary>
    private sealed class ScriptedSource : IListWatcher<V1Secret>
    {
        public Queue<ListResult<V1Secret>> Lists { get; } = new();
        public Queue<Func<string, Channel<(WatchEventType, V1Secret)>>> Watches { get; } = new();
        public List<string> WatchedFrom { get; } = [];

        public string Description => "secrets";

        public Task<ListResult<V1Secret>> ListAsync(CancellationToken cancellationToken) =>
            Lists.TryDequeue(out var list) ? Task.FromResult(list) : throw new HttpRequestException("no more lists");

        public async IAsyncEnumerable<(WatchEventType Type, V1Secret Object)> WatchAsync(string resourceVersion, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            WatchedFrom.Add(resourceVersion);
            if (!Watches.TryDequeue(out var script))
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                yield break;
            }
            var channel = script(resourceVersion);
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }

    private static Func<string, Channel<(WatchEventType, V1Secret)>> Script(Exception? end, params (WatchEventType, V1Secret)[] events) => _ =>
    {
        var channel = Channel.CreateUnbounded<(WatchEventType, V1Secret)>();
        foreach (var e in events)
        {
            channel.Writer.TryWrite(e);
        }
        channel.Writer.Complete(end);
        return channel;
    };

    [Fact]
    public async Task Lists_then_watches_from_the_list_version_and_resumes_after_bookmarks()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue(new([Obj("a", "5")], "10"));
        source.Watches.Enqueue(Script(null,
            (WatchEventType.Added, Obj("b", "11")),
            (WatchEventType.Bookmark, Obj("", "15"))));
        var added = new List<string>();
        var informer = new Informer<V1Secret>(source, NullLogger.Instance) { ResyncPeriod = TimeSpan.Zero };
        informer.AddHandler(new ResourceEventHandler<V1Secret>(added: s => added.Add(s.Metadata.Name)));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = informer.RunAsync(stop.Token);
        await WaitUntil(() => source.WatchedFrom.Count == 2);
        stop.Cancel();
        await run;

        Assert.Equal(["10", "15"], source.WatchedFrom);
        Assert.Equal(["a", "b"], added);
        Assert.Equal(2, informer.Cache.Count);
    }

    [Fact]
    public async Task Gone_relists_and_reports_what_changed_meanwhile()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue(new([Obj("a", "5"), Obj("b", "6")], "10"));
        source.Watches.Enqueue(Script(new ResourceVersionExpiredException("410 Gone")));
        source.Lists.Enqueue(new([Obj("a", "20"), Obj("c", "21")], "30"));
        var log = new List<string>();
        var informer = new Informer<V1Secret>(source, NullLogger.Instance) { ResyncPeriod = TimeSpan.Zero };
        informer.AddHandler(new ResourceEventHandler<V1Secret>(
            s => log.Add($"+{s.Metadata.Name}"),
            (_, s) => log.Add($"~{s.Metadata.Name}"),
            s => log.Add($"-{s.Metadata.Name}")));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = informer.RunAsync(stop.Token);
        await WaitUntil(() => source.WatchedFrom.Count == 2);
        stop.Cancel();
        await run;

        Assert.Equal(2, informer.ListCount);
        Assert.Equal(["10", "30"], source.WatchedFrom);
        Assert.Equal(["+a", "+b", "~a", "+c", "-b"], log);
        Assert.Null(informer.Cache.Get("ns", "b"));
    }

    [Fact]
    public async Task A_dropped_watch_reconnects_from_the_last_version_without_relisting()
    {
        var source = new ScriptedSource();
        source.Lists.Enqueue(new([], "10"));
        source.Watches.Enqueue(Script(new HttpRequestException("connection reset"), (WatchEventType.Added, Obj("a", "12"))));
        source.Watches.Enqueue(Script(null, (WatchEventType.Deleted, Obj("a", "13"))));
        var deleted = new List<string>();
        var informer = new Informer<V1Secret>(source, NullLogger.Instance) { ResyncPeriod = TimeSpan.Zero, MinBackoff = TimeSpan.FromMilliseconds(1) };
        informer.AddHandler(new ResourceEventHandler<V1Secret>(deleted: s => deleted.Add(s.Metadata.Name)));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = informer.RunAsync(stop.Token);
        await WaitUntil(() => source.WatchedFrom.Count == 3);
        stop.Cancel();
        await run;

        Assert.Equal(1, informer.ListCount);
        Assert.Equal(["10", "12", "13"], source.WatchedFrom);
        Assert.Equal(["a"], deleted);
        Assert.Equal(0, informer.Cache.Count);
    }

    [Fact]
    public async Task A_failing_list_is_retried_with_backoff()
    {
        var source = new ScriptedSource();
        var informer = new Informer<V1Secret>(source, NullLogger.Instance) { ResyncPeriod = TimeSpan.Zero, MinBackoff = TimeSpan.FromMilliseconds(1) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await Task.Delay(50, Ct);
        Assert.False(informer.Synced.IsCompleted);

        source.Lists.Enqueue(new([Obj("a", "1")], "1"));
        await informer.Synced.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        stop.Cancel();
        await run;

        Assert.NotNull(informer.Cache.Get("ns", "a"));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, Ct);
        }
        Assert.True(condition());
    }
}
