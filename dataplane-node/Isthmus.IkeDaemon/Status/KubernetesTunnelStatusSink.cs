using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Isthmus.Api.V1Alpha1;
using Isthmus.KubeClient.Events;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// Writes what the daemon owns of each tunnel's status to the Kubernetes API, through the status subresource
/// only (never spec, so GitOps tools see no drift), and records its Events with Isthmus.KubeClient's
/// <see cref="IEventRecorder"/> (events.k8s.io/v1, repeats folded into a series).
/// <list type="bullet">
/// <item>Coalesced: one writer per tunnel writes at most once per <see cref="MinWriteInterval"/>, always the
/// latest snapshot; a snapshot equal to the last one written costs nothing, and one the status already shows
/// costs a GET and no write.</item>
/// <item>Safe next to the operator: a read-modify-write guarded by resourceVersion (see <see cref="StatusPatch"/>),
/// re-read and retried on 409 Conflict; other API errors are retried with backoff, never thrown.</item>
/// <item>Least privilege: reads and writes go to <c>ipsectunnels/status</c> (get, patch) and Events (create,
/// patch), which is all the IKE pod's role grants.</item>
/// <item>Failover-safe: when <c>status.activeNode</c> names another node, this daemon is not the tunnel's
/// active gateway any more and leaves the status alone.</item>
/// </list>
/// </summary>
public sealed class KubernetesTunnelStatusSink : ITunnelStatusSink
{
    /// <summary>The field manager of the daemon's status writes.</summary>
    public const string FieldManager = "isthmus-iked";

    /// <summary>The <c>reportingController</c> of the daemon's Events.</summary>
    public const string ReportingController = "ipsec.isthmus.dev/ike-daemon";

    private const int ConflictRetries = 8;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly IKubernetes _client;
    private readonly IEventRecorder _events;
    private readonly Log _log;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<TunnelKey, TunnelWriter> _writers = [];
    private readonly ConcurrentDictionary<TunnelKey, string?> _uids = new();
    private readonly Channel<TunnelEvent> _eventQueue = Channel.CreateUnbounded<TunnelEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _eventLoop;
    private long _eventsQueued;
    private long _eventsDone;
    private bool _disposed;

    public KubernetesTunnelStatusSink(IKubernetes client, IEventRecorder events, string? nodeName, Log log, TimeProvider? time = null)
    {
        _client = client;
        _events = events;
        NodeName = string.IsNullOrEmpty(nodeName) ? null : nodeName;
        _log = log;
        _time = time ?? TimeProvider.System;
        _eventLoop = Task.Run(() => EventLoop(_stop.Token));
    }

    /// <summary>This node's name: status is written only while <c>status.activeNode</c> is empty or this node.</summary>
    public string? NodeName { get; }

    /// <summary>At most one status write per tunnel in this interval (default one second).</summary>
    public TimeSpan MinWriteInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long <see cref="DisposeAsync"/> waits for the last writes and Events (default five seconds).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Creates the sink with a <see cref="KubernetesEventRecorder"/> on the same client.</summary>
    public static KubernetesTunnelStatusSink Create(IKubernetes client, string? nodeName, Log log, TimeProvider? time = null)
    {
        var instance = $"isthmus-iked-{nodeName ?? Environment.MachineName}";
        var recorder = new KubernetesEventRecorder(client, ReportingController, instance.Length > 128 ? instance[..128] : instance, new DaemonLogger(log, "events"), time);
        return new KubernetesTunnelStatusSink(client, recorder, nodeName, log, time);
    }

    public void SnapshotChanged(TunnelSaStatus status)
    {
        TunnelWriter writer;
        lock (_lock)
        {
            if (_disposed) return;
            if (!_writers.TryGetValue(status.Tunnel, out writer!))
            {
                writer = new TunnelWriter(this, status.Tunnel);
                _writers[status.Tunnel] = writer;
            }
        }
        writer.Offer(status);
    }

    public void EventHappened(TunnelEvent tunnelEvent)
    {
        if (Volatile.Read(ref _disposed)) return;
        Interlocked.Increment(ref _eventsQueued);
        if (!_eventQueue.Writer.TryWrite(tunnelEvent)) Interlocked.Increment(ref _eventsDone);
    }

    /// <summary>Completes once every snapshot offered so far is written (or found unwritable) and every Event recorded.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            List<TunnelWriter> writers;
            lock (_lock) writers = [.. _writers.Values];
            if (writers.All(w => w.Idle) && Interlocked.Read(ref _eventsDone) >= Interlocked.Read(ref _eventsQueued)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(10), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes what is pending (within <see cref="ShutdownTimeout"/>), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        List<TunnelWriter> writers;
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            writers = [.. _writers.Values];
        }
        using (var deadline = new CancellationTokenSource(ShutdownTimeout, _time))
        {
            try
            {
                await FlushAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _log.Warn("status", $"stopping with unwritten status or Events after {ShutdownTimeout.TotalSeconds:0}s");
            }
        }
        _eventQueue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(writers.Select(w => w.Loop).Append(_eventLoop)).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task EventLoop(CancellationToken ct)
    {
        try
        {
            await foreach (var e in _eventQueue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    var uid = await UidOf(e.Tunnel, ct).ConfigureAwait(false);
                    var regarding = new EventReference(V1Alpha1IpsecTunnel.GroupVersion, V1Alpha1IpsecTunnel.KindName, e.Tunnel.Namespace, e.Tunnel.Name, uid);
                    await _events.RecordAsync(regarding, e.Type, e.Reason, e.Action, e.Note, ct).ConfigureAwait(false);
                }
                catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
                {
                    _log.Warn(e.Tunnel.ToString(), $"Event {e.Reason} not recorded: the IpsecTunnel does not exist");
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    _log.Warn(e.Tunnel.ToString(), $"Event {e.Reason} not recorded: {ex.Message}");
                }
                finally
                {
                    Interlocked.Increment(ref _eventsDone);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>The tunnel's uid for the Event's <c>regarding</c>, from the last read of it, else read now.</summary>
    private async Task<string?> UidOf(TunnelKey tunnel, CancellationToken ct)
    {
        if (_uids.TryGetValue(tunnel, out var uid)) return uid;
        var current = StatusPatch.Read(await GetTunnel(tunnel, ct).ConfigureAwait(false));
        _uids[tunnel] = current.Uid;
        return current.Uid;
    }

    private async Task<JsonObject> GetTunnel(TunnelKey tunnel, CancellationToken ct)
    {
        // Read through the status subresource too: the IKE pod's role has get and patch on ipsectunnels/status only.
        var response = await _client.CustomObjects.GetNamespacedCustomObjectStatusAsync(
            V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, tunnel.Namespace, V1Alpha1IpsecTunnel.Plural, tunnel.Name, ct).ConfigureAwait(false);
        return JsonNode.Parse(((JsonElement)response).GetRawText()) as JsonObject
            ?? throw new JsonException($"the API server returned no object for IpsecTunnel {tunnel}");
    }

    /// <summary>The outcome of one attempt to write a snapshot.</summary>
    private enum WriteOutcome
    {
        Written,
        Unchanged,
        NotActiveNode,
        NotFound,
    }

    /// <summary>Reads the tunnel, builds the patch, and sends it; re-reads on 409 Conflict.</summary>
    private async Task<WriteOutcome> WriteAsync(TunnelKey tunnel, TunnelSaStatus desired, Func<long, long> baseline, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            StatusPatch.Current current;
            try
            {
                current = StatusPatch.Read(await GetTunnel(tunnel, ct).ConfigureAwait(false));
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return WriteOutcome.NotFound;
            }
            _uids[tunnel] = current.Uid;
            if (NodeName is not null && !string.IsNullOrEmpty(current.ActiveNode) && current.ActiveNode != NodeName)
            {
                return WriteOutcome.NotActiveNode;
            }
            if (StatusPatch.Build(current, desired, baseline(current.RekeyCount)) is not { } patch)
            {
                return WriteOutcome.Unchanged;
            }
            try
            {
                await _client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
                    new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch),
                    V1Alpha1IpsecTunnel.Group, V1Alpha1IpsecTunnel.Version, tunnel.Namespace, V1Alpha1IpsecTunnel.Plural, tunnel.Name,
                    fieldManager: FieldManager, cancellationToken: ct).ConfigureAwait(false);
                return WriteOutcome.Written;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < ConflictRetries)
            {
                // Someone (the operator) wrote the status since we read it: read it again and redo our part.
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                return WriteOutcome.NotFound;
            }
        }
    }

    /// <summary>The single writer of one tunnel's status: holds the latest snapshot and writes it when due.</summary>
    private sealed class TunnelWriter
    {
        private readonly KubernetesTunnelStatusSink _sink;
        private readonly TunnelKey _tunnel;
        private readonly Lock _lock = new();
        private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        private TunnelSaStatus? _latest;
        private long _offered;
        private long _handled;
        private string? _written;
        private long? _rekeyBaseline;
        private DateTimeOffset _lastAttempt = DateTimeOffset.MinValue;
        private string? _lastSkip;

        public TunnelWriter(KubernetesTunnelStatusSink sink, TunnelKey tunnel)
        {
            _sink = sink;
            _tunnel = tunnel;
            Loop = Task.Run(() => Run(sink._stop.Token));
        }

        public Task Loop { get; }

        public bool Idle => Interlocked.Read(ref _handled) >= Interlocked.Read(ref _offered);

        public void Offer(TunnelSaStatus status)
        {
            lock (_lock)
            {
                _latest = status;
                _offered++;
            }
            _dirty.Writer.TryWrite(true);
        }

        private async Task Run(CancellationToken ct)
        {
            var backoff = TimeSpan.FromSeconds(1);
            try
            {
                while (await _dirty.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
                {
                    _dirty.Reader.TryRead(out _);
                    var wait = _lastAttempt + _sink.MinWriteInterval - _sink._time.GetUtcNow();
                    if (wait > TimeSpan.Zero) await Task.Delay(wait, _sink._time, ct).ConfigureAwait(false);

                    TunnelSaStatus status;
                    long version;
                    lock (_lock)
                    {
                        status = _latest!;
                        version = _offered;
                    }
                    if (status.Fingerprint == _written)
                    {
                        Handled(version);
                        continue;
                    }
                    _lastAttempt = _sink._time.GetUtcNow();
                    try
                    {
                        var outcome = await _sink.WriteAsync(_tunnel, status, Baseline, ct).ConfigureAwait(false);
                        backoff = TimeSpan.FromSeconds(1);
                        _written = outcome is WriteOutcome.Written or WriteOutcome.Unchanged or WriteOutcome.NotActiveNode ? status.Fingerprint : null;
                        Report(outcome);
                        Handled(version);
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        // Whatever went wrong, this tunnel's writer must keep going: log, back off, try again.
                        _sink._log.Warn(_tunnel.ToString(), $"status not written, retrying in {backoff.TotalSeconds:0}s: {Describe(e)}");
                        await Task.Delay(backoff, _sink._time, ct).ConfigureAwait(false);
                        backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                        _dirty.Writer.TryWrite(true);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }

        /// <summary>The rekey count the status held when this daemon first read it: the daemon's own rekeys are added to it.</summary>
        private long Baseline(long onServer) => _rekeyBaseline ??= onServer;

        private void Handled(long version)
        {
            long seen;
            do seen = Interlocked.Read(ref _handled);
            while (seen < version && Interlocked.CompareExchange(ref _handled, version, seen) != seen);
        }

        private void Report(WriteOutcome outcome)
        {
            var skip = outcome switch
            {
                WriteOutcome.NotActiveNode => $"status not written: status.activeNode names another node than {_sink.NodeName}",
                WriteOutcome.NotFound => "status not written: the IpsecTunnel does not exist",
                _ => null,
            };
            if (skip is not null && skip != _lastSkip) _sink._log.Warn(_tunnel.ToString(), skip);
            _lastSkip = skip;
        }

        private static string Describe(Exception e) => e is HttpOperationException h && h.Response is { } r
            ? $"HTTP {(int)r.StatusCode} {r.ReasonPhrase}"
            : e.Message;
    }
}
