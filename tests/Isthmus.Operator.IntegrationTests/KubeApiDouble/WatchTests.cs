using System.Text.Json;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

public sealed class WatchTests
{
    private sealed record Seen(WatchEventType Type, string? Name, string? ResourceVersion);

    /// <summary>Opens a watch on ipsectunnels through the real client and collects events in the background.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(DoubleHarness.Ct);
        private readonly Task _pump;

        public Collector(DoubleHarness h, string? resourceVersion, bool bookmarks = false, string? labelSelector = null)
        {
            _pump = Task.Run(async () =>
            {
                try
                {
                    var events = h.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                        DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels,
                        allowWatchBookmarks: bookmarks, labelSelector: labelSelector, resourceVersion: resourceVersion,
                        onError: e => Errors.Add(e), cancellationToken: _stop.Token);
                    await foreach (var (type, item) in events)
                    {
                        var meta = JsonNode.Parse(((JsonElement)item).GetRawText())!["metadata"];
                        lock (_gate)
                        {
                            _events.Add(new Seen(type, (string?)meta?["name"], (string?)meta?["resourceVersion"]));
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception e)
                {
                    Errors.Add(e);
                }
                finally
                {
                    Closed = true;
                }
            });
        }

        private readonly Lock _gate = new();
        private readonly List<Seen> _events = [];

        /// <summary>A snapshot: the watch thread keeps adding while a test reads.</summary>
        public List<Seen> Events
        {
            get
            {
                lock (_gate)
                {
                    return [.. _events];
                }
            }
        }

        public List<Exception> Errors { get; } = [];

        public bool Closed { get; private set; }

        public async Task WaitFor(Func<Collector, bool> condition)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!condition(this))
            {
                Assert.True(DateTime.UtcNow < deadline, "timed out; events: " + string.Join(", ", Events));
                await Task.Delay(20, DoubleHarness.Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _pump;
            }
            catch (OperationCanceledException)
            {
            }

            _stop.Dispose();
        }
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_ADDED_for_existing_objects_then_streams_changes()
    {
        await using var h = await DoubleHarness.StartAsync();
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("a"));
        await using var watch = new Collector(h, resourceVersion: null);
        await watch.WaitFor(w => w.Events.Count == 1);

        var b = await h.CreateTunnelAsync(DoubleHarness.Tunnel("b"));
        b["spec"]!["peer"]!["address"] = "192.0.2.77";
        await h.ReplaceTunnelAsync(b);
        await h.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(DoubleHarness.Group, DoubleHarness.Version, "default", DoubleHarness.Tunnels, "a", cancellationToken: DoubleHarness.Ct);

        await watch.WaitFor(w => w.Events.Count == 4);
        Assert.Equal(
            [(WatchEventType.Added, "a"), (WatchEventType.Added, "b"), (WatchEventType.Modified, "b"), (WatchEventType.Deleted, "a")],
            watch.Events.Select(e => (e.Type, e.Name)));
        var versions = watch.Events.Skip(1).Select(e => long.Parse(e.ResourceVersion!)).ToList();
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_only_later_changes()
    {
        await using var h = await DoubleHarness.StartAsync();
        var a = await h.CreateTunnelAsync(DoubleHarness.Tunnel("a"));
        var from = (string)a["metadata"]!["resourceVersion"]!;
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("b"));

        await using var watch = new Collector(h, from);
        await watch.WaitFor(w => w.Events.Count == 1);
        Assert.Equal((WatchEventType.Added, "b"), (watch.Events[0].Type, watch.Events[0].Name));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_gets_a_410_Expired_error()
    {
        await using var h = await DoubleHarness.StartAsync();
        var a = await h.CreateTunnelAsync(DoubleHarness.Tunnel("a"));
        await h.CreateTunnelAsync(DoubleHarness.Tunnel("b"));
        h.Api.Store.CompactHistory();

        await using var watch = new Collector(h, (string)a["metadata"]!["resourceVersion"]!);
        await watch.WaitFor(w => w.Errors.Count > 0 && w.Closed);
        var error = Assert.IsType<KubernetesException>(watch.Errors[0]);
        Assert.Equal(410, error.Status.Code);
        Assert.Equal("Expired", error.Status.Reason);
        Assert.Empty(watch.Events);
    }

    [Fact]
    public async Task Watch_with_bookmarks_receives_BOOKMARK_with_the_current_resourceVersion()
    {
        await using var h = await DoubleHarness.StartAsync(new KubeApiServerOptions { BookmarkInterval = TimeSpan.FromHours(1) });
        var a = await h.CreateTunnelAsync(DoubleHarness.Tunnel("a"));
        await using var watch = new Collector(h, (string)a["metadata"]!["resourceVersion"]!, bookmarks: true);
        await watch.WaitFor(_ => h.Api.Store.WatchCount == 1);
        var secret = await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "default", cancellationToken: DoubleHarness.Ct);

        h.Api.Store.SendBookmarks();
        await watch.WaitFor(w => w.Events.Count == 1);
        Assert.Equal(WatchEventType.Bookmark, watch.Events[0].Type);
        Assert.Equal(secret.Metadata.ResourceVersion, watch.Events[0].ResourceVersion);
    }

    [Fact]
    public async Task Watch_with_a_label_selector_sees_objects_enter_and_leave_the_selection()
    {
        await using var h = await DoubleHarness.StartAsync();
        await using var watch = new Collector(h, resourceVersion: null, labelSelector: "site=branch");
        await watch.WaitFor(_ => h.Api.Store.WatchCount == 1);
        var t = await h.CreateTunnelAsync(DoubleHarness.Tunnel("a"));
        t["metadata"]!["labels"] = new JsonObject { ["site"] = "branch" };
        t = await h.ReplaceTunnelAsync(t);
        t["metadata"]!["labels"] = new JsonObject { ["site"] = "hq" };
        await h.ReplaceTunnelAsync(t);

        await watch.WaitFor(w => w.Events.Count == 2);
        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], watch.Events.Select(e => e.Type));
    }

    [Fact]
    public async Task Dropping_watches_ends_the_client_stream()
    {
        await using var h = await DoubleHarness.StartAsync();
        await using var graceful = new Collector(h, resourceVersion: null);
        await graceful.WaitFor(_ => h.Api.Store.WatchCount == 1);
        Assert.Equal(1, h.Api.DropWatches(abortConnections: false));
        await graceful.WaitFor(w => w.Closed);

        await using var aborted = new Collector(h, resourceVersion: null);
        await aborted.WaitFor(_ => h.Api.Store.WatchCount == 1);
        Assert.Equal(1, h.Api.DropWatches(abortConnections: true));
        await aborted.WaitFor(w => w.Closed);
        Assert.Equal(0, h.Api.Store.WatchCount);
    }

    [Fact]
    public async Task A_watch_honours_timeoutSeconds()
    {
        await using var h = await DoubleHarness.StartAsync();
        // KubernetesClient cannot read a watch response that ends before its first line, so one object is there.
        await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, "default", cancellationToken: DoubleHarness.Ct);
        var started = DateTime.UtcNow;
        var seen = 0;
        await foreach (var _ in h.Client.CoreV1.WatchListNamespacedSecretAsync("default", timeoutSeconds: 1, cancellationToken: DoubleHarness.Ct))
        {
            seen++;
        }

        Assert.Equal(1, seen);

        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(8));
    }
}
