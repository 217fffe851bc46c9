using System.Threading.Channels;
using Isthmus.Dataplane.Protos;
using Isthmus.Esp;
using Isthmus.Ike.Config;
using Isthmus.Ike.Sa;

namespace Isthmus.IkeDaemon.Dataplane;

/// <summary>
/// Installs negotiated Child SAs into the node's dataplane over its control socket (keys travel
/// only there) and removes them when they are deleted. Requests are queued and sent in order by
/// one task, so the IKE event loop never waits on the dataplane. On a rekey the new SAs go in
/// first and the policies are repointed, then the old SAs leave (make-before-break, RFC 7296
/// §2.8). The dataplane's soft-expire events come back as rekey requests.
/// </summary>
public sealed class DataplaneInstaller : IAsyncDisposable
{
    private readonly DataplaneClient _client;
    private readonly Log _log;
    private readonly Channel<Func<CancellationToken, Task>> _queue = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private readonly Task _events;

    /// <summary>How long the inbound half of a rekeyed Child SA stays installed after its Delete.</summary>
    public static readonly TimeSpan RekeyedInboundGrace = TimeSpan.FromSeconds(2);

    public DataplaneInstaller(string socketPath, Log log, Action<uint> softExpired)
    {
        _client = new DataplaneClient(socketPath);
        _log = log;
        _worker = Task.Run(Work);
        _events = Task.Run(() => WatchEvents(softExpired));
    }

    /// <summary>A Child SA came up (first, additional or rekeyed): install its SAs, then (re)point its policies.</summary>
    public void Install(IkeSa sa, ChildSa child, TunnelConfig config)
    {
        var state = ChildSaMapping.Map(sa, child, config, out var unsupported);
        if (state is null)
        {
            _log.Error(config.Name, $"CHILD SA {child.Name} not installed in the dataplane: {unsupported}");
            return;
        }
        Enqueue(config.Name, async ct =>
        {
            await Check(config.Name, $"add inbound SA {child.SpiIn:x8}", _client.AddSaAsync(state.Inbound, ct));
            await Check(config.Name, $"add outbound SA {child.SpiOut:x8}", _client.AddSaAsync(state.Outbound, ct));
            foreach (var policy in state.Policies)
            {
                // Repoint an existing policy (after a rekey) by replacing it.
                await _client.DeletePolicyAsync(policy.Id, ct);
                await Check(config.Name, $"add policy {policy.Id:x8}", _client.AddPolicyAsync(policy, ct));
            }
            _log.Info(config.Name, $"CHILD SA {child.Name} installed in the dataplane: spi_in={child.SpiIn:x8} spi_out={child.SpiOut:x8}, {state.Policies.Count} policies");
        });
    }

    /// <summary>A Child SA was deleted (or replaced): remove its SAs; policies stay with the successor or leave with the last one.</summary>
    public void Remove(ChildSa child, TunnelConfig config, bool lastOfItsName)
    {
        if (child.Rekeyed)
        {
            // Make-before-break: the peer may still send on the old SA until it has switched; keep our inbound
            // half a little longer so those packets are decrypted, not dropped as unknown SPI (RFC 7296 §2.8).
            Enqueue(config.Name, ct => _client.DeleteSaAsync(child.SpiOut, EspDirection.Outbound, ct));
            _ = Task.Delay(RekeyedInboundGrace, _stop.Token).ContinueWith(t =>
            {
                if (!t.IsCanceled) Enqueue(config.Name, ct => _client.DeleteSaAsync(child.SpiIn, EspDirection.Inbound, ct));
            }, TaskScheduler.Default);
            _log.Info(config.Name, $"CHILD SA {child.Name} replaced: outbound {child.SpiOut:x8} removed, inbound {child.SpiIn:x8} kept {RekeyedInboundGrace.TotalSeconds:0}s for packets in flight");
            return;
        }
        Enqueue(config.Name, async ct =>
        {
            await _client.DeleteSaAsync(child.SpiOut, EspDirection.Outbound, ct);
            await _client.DeleteSaAsync(child.SpiIn, EspDirection.Inbound, ct);
            if (lastOfItsName)
            {
                foreach (var policy in await _client.ListPoliciesAsync(ct))
                    if (policy.Spi == child.SpiIn || policy.Spi == child.SpiOut) await _client.DeletePolicyAsync(policy.Id, ct);
            }
            _log.Info(config.Name, $"CHILD SA {child.Name} removed from the dataplane: spi_in={child.SpiIn:x8} spi_out={child.SpiOut:x8}");
        });
    }

    private void Enqueue(string scope, Func<CancellationToken, Task<ControlResult>> work) =>
        Enqueue(scope, async ct => { await work(ct); });

    private void Enqueue(string scope, Func<CancellationToken, Task> work) => _queue.Writer.TryWrite(async ct =>
    {
        try { await work(ct); }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.Error(scope, $"dataplane request failed: {e.GetType().Name}: {e.Message}");
        }
    });

    private async Task Check(string scope, string what, Task<ControlResult> call)
    {
        var result = await call;
        if (result.Error != ControlError.None) _log.Error(scope, $"dataplane refused to {what}: {result.Error} {result.Detail}");
    }

    private async Task Work()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stop.Token)) await item(_stop.Token);
        }
        catch (OperationCanceledException) { }
    }

    private async Task WatchEvents(Action<uint> softExpired)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in _client.WatchEventsAsync(_stop.Token))
                {
                    delay = TimeSpan.FromSeconds(1);
                    if (e is SoftExpireEvent soft) softExpired(soft.Spi);
                    else if (e is HardExpireEvent hard) _log.Warn("dataplane", $"SA {hard.Spi:x8} {hard.Direction} reached its hard {hard.Kind} limit");
                }
            }
            catch (OperationCanceledException) { return; }
            catch (Exception e)
            {
                _log.Warn("dataplane", $"event stream lost ({e.GetType().Name}); reconnecting in {delay.TotalSeconds:0}s");
            }
            try { await Task.Delay(delay, _stop.Token); } catch (OperationCanceledException) { return; }
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try { await _worker.WaitAsync(TimeSpan.FromSeconds(5)); } catch (TimeoutException) { }
        _stop.Cancel();
        try { await Task.WhenAll(_worker, _events); } catch (OperationCanceledException) { }
        _client.Dispose();
        _stop.Dispose();
    }
}
