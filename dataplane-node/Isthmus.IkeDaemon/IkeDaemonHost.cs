using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Isthmus.Ike.Config;
using Isthmus.Ike.Sa;
using Isthmus.IkeDaemon.Control;
using Isthmus.IkeDaemon.Dataplane;
using Isthmus.IkeDaemon.Status;
using Isthmus.IkeDaemon.Transport;

namespace Isthmus.IkeDaemon;

/// <summary>
/// The IKE daemon: one event loop owns the <see cref="IkeSaManager"/> (which is single-threaded
/// by design) and serialises everything that touches it: received datagrams, timer ticks, and
/// snapshot requests from the control socket. Tunnels with start action Initiate are brought up
/// at start and re-initiated with backoff whenever their IKE SA goes away. What the SAs report also goes,
/// through a <see cref="TunnelStatusTracker"/>, to the status sink (the tunnels' status and Events in
/// Kubernetes with --kube-status; nowhere by default).
/// </summary>
public sealed class IkeDaemonHost
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ReinitiateDelay = TimeSpan.FromSeconds(5);

    private readonly DaemonOptions _options;
    private readonly Log _log;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly IkeSaManager _manager;
    private readonly TunnelStatusTracker _status;
    private readonly Channel<object> _work = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, (DateTimeOffset At, TimeSpan Backoff)> _retry = [];
    private readonly Dictionary<ulong, DateTimeOffset> _lastKeepalive = [];
    private UdpTransport? _transport;
    private DataplaneInstaller? _dataplane;

    private sealed record SnapshotRequest(TaskCompletionSource<DaemonSnapshot> Reply);
    private sealed record TimerTick;
    private sealed record SoftExpired(uint Spi);

    public IkeDaemonHost(DaemonOptions options, IReadOnlyList<TunnelConfig> tunnels, Log log, ITunnelStatusSink? status = null)
    {
        _options = options;
        _log = log;
        _manager = new IkeSaManager(tunnels, _time, new IkeSaOptions
        {
            RetransmitTimeout = options.RetransmitTimeout,
            RetransmitTries = options.RetransmitTries,
            IkePort = options.IkePort,
            NatTPort = options.NatTPort,
        });
        _status = new TunnelStatusTracker(tunnels, status ?? NoTunnelStatusSink.Instance, _time);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        await using var transport = new UdpTransport(_options.Listen, _options.IkePort, _options.NatTPort);
        _transport = transport;
        transport.Start(_work.Writer);
        await using var dataplane = _options.DataplaneSocket is { } socket
            ? new DataplaneInstaller(socket, _log, spi => _work.Writer.TryWrite(new SoftExpired(spi)))
            : null;
        _dataplane = dataplane;
        await using var control = new ControlServer(_options.ControlSocket, RequestSnapshotAsync);
        control.Start();
        _log.Info("daemon", $"listening on {_options.Listen} UDP {transport.IkePort} and {transport.NatTPort} (NAT-T); control socket {_options.ControlSocket}; {_manager.Tunnels.Count} tunnel(s)");
        foreach (var t in _manager.Tunnels)
            _log.Info(t.Name, $"loaded: {t.StartAction.ToString().ToLowerInvariant()} peer {t.PeerHost}:{t.PeerPort}, local id {t.LocalId}, remote id {(t.PeerId?.ToString() ?? "(its address)")}");

        _status.Start(_manager.Sas);

        using var ticker = new PeriodicTimer(Tick);
        var tickLoop = Task.Run(async () =>
        {
            try { while (await ticker.WaitForNextTickAsync(ct)) await _work.Writer.WriteAsync(new TimerTick(), ct); }
            catch (OperationCanceledException) { }
        }, CancellationToken.None);

        await _work.Writer.WriteAsync(new TimerTick(), ct);
        try
        {
            await foreach (var item in _work.Reader.ReadAllAsync(ct))
            {
                var output = new IkeOutput();
                switch (item)
                {
                    case ReceivedDatagram d:
                        _manager.ProcessDatagram(d.Data, d.Local, d.Remote, output);
                        break;
                    case TimerTick:
                        _manager.OnTimer(output);
                        InitiateDueTunnels(output);
                        await SendKeepalives();
                        break;
                    case SoftExpired soft:
                        // The dataplane saw the soft byte/packet limit: rekey now (RFC 7296 §2.8).
                        foreach (var sa in _manager.Sas)
                            if (sa.ChildSas.FirstOrDefault(c => c.SpiIn == soft.Spi || c.SpiOut == soft.Spi) is { } expiring)
                            {
                                _log.Info(sa.Config?.Name ?? "daemon", $"CHILD SA {expiring.Name} {soft.Spi:x8} reached its soft lifetime: rekeying");
                                sa.RekeyChild(expiring, output);
                            }
                        break;
                    case SnapshotRequest s:
                        s.Reply.TrySetResult(new DaemonSnapshot(_manager.Sas.Select(SaFormatting.Snapshot).ToList(),
                            _manager.DroppedMessages, transport.KeepalivesReceived, transport.EspPacketsIgnored));
                        break;
                }
                await Flush(output);
            }
        }
        catch (OperationCanceledException) { }

        // Orderly shutdown: tell peers (RFC 7296 §1.4.1), without waiting for their answers.
        var bye = new IkeOutput();
        var established = _manager.Sas.Where(s => s.State == IkeSaState.Established).ToList();
        foreach (var sa in established) sa.Delete(bye);
        await Flush(bye);
        _status.Stopped(established);
        await tickLoop;
        _log.Info("daemon", "stopped");
    }

    private Task<DaemonSnapshot> RequestSnapshotAsync()
    {
        var tcs = new TaskCompletionSource<DaemonSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Writer.TryWrite(new SnapshotRequest(tcs));
        return tcs.Task;
    }

    private void InitiateDueTunnels(IkeOutput output)
    {
        var now = _time.GetUtcNow();
        foreach (var tunnel in _manager.Tunnels.Where(t => t.StartAction == StartAction.Initiate))
        {
            if (_manager.Sas.Any(s => s.IsInitiator && s.Config == tunnel || s.Config?.Name == tunnel.Name && s.State == IkeSaState.Established))
                continue;
            if (_retry.TryGetValue(tunnel.Name, out var r) && now < r.At) continue;
            var backoff = _retry.TryGetValue(tunnel.Name, out var prev) ? TimeSpan.FromTicks(Math.Min(prev.Backoff.Ticks * 2, MaxRetry.Ticks)) : TimeSpan.FromSeconds(5);
            _retry[tunnel.Name] = (now + backoff, backoff);
            try
            {
                var remote = ResolvePeer(tunnel);
                var local = new IPEndPoint(tunnel.LocalAddress ?? SourceAddressFor(remote.Address), _transport!.IkePort);
                _log.Info(tunnel.Name, $"initiating IKE SA to {remote}");
                _manager.Initiate(tunnel, local, remote, output);
            }
            catch (SocketException e)
            {
                _log.Warn(tunnel.Name, $"cannot reach peer {tunnel.PeerHost}: {e.Message}; retrying in {backoff.TotalSeconds:0}s");
            }
        }
    }

    private IPEndPoint ResolvePeer(TunnelConfig tunnel)
    {
        var address = tunnel.PeerAddress ?? Dns.GetHostAddresses(tunnel.PeerHost)
            .FirstOrDefault(a => a.AddressFamily == _options.Listen.AddressFamily)
            ?? throw new SocketException((int)SocketError.HostNotFound);
        return new IPEndPoint(address, tunnel.PeerPort);
    }

    private IPAddress SourceAddressFor(IPAddress remote)
    {
        if (!_options.Listen.Equals(IPAddress.Any) && !_options.Listen.Equals(IPAddress.IPv6Any)) return _options.Listen;
        // Ask the routing table which source address reaches the peer (no packet is sent).
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(remote, 9));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private async Task SendKeepalives()
    {
        var now = _time.GetUtcNow();
        foreach (var sa in _manager.Sas.Where(s => s.State == IkeSaState.Established && s.NatLocal))
        {
            if (_lastKeepalive.TryGetValue(sa.LocalSpi, out var last) && now - last < _options.NatKeepaliveInterval) continue;
            _lastKeepalive[sa.LocalSpi] = now;
            await _transport!.SendKeepaliveAsync(sa.RemoteEndpoint);
        }
    }

    private async Task Flush(IkeOutput output)
    {
        foreach (var d in output.Datagrams)
        {
            try { await _transport!.SendAsync(d.Data, d.Local, d.Remote); }
            catch (SocketException e) { _log.Warn("daemon", $"send to {d.Remote} failed: {e.SocketErrorCode}"); }
        }
        foreach (var e in output.Events) Report(e);
        _status.Observe(output.Events, _manager.Sas);
    }

    private static readonly TimeSpan DropLogWindow = TimeSpan.FromSeconds(10);
    private const int DropLogsPerWindow = 20;
    private DateTimeOffset _dropWindowStart;
    private int _dropsLogged;
    private int _dropsSuppressed;

    /// <summary>
    /// Dropped messages are always counted (list-sas shows them) but logged at most 20 per 10 s, so that junk
    /// sent to UDP 500 cannot flood the log; the number left out is logged when the window ends.
    /// </summary>
    private void LogDrop(string scope, MessageDropped drop)
    {
        var now = _time.GetUtcNow();
        if (now - _dropWindowStart >= DropLogWindow)
        {
            if (_dropsSuppressed > 0) _log.Warn("daemon", $"{_dropsSuppressed} more dropped messages in the last {DropLogWindow.TotalSeconds:0}s were not logged");
            _dropWindowStart = now;
            _dropsLogged = 0;
            _dropsSuppressed = 0;
        }
        if (_dropsLogged++ < DropLogsPerWindow) _log.Warn(scope, $"dropped message from {drop.From}: {drop.Reason}");
        else _dropsSuppressed++;
    }

    private void Report(IkeSaEvent e)
    {
        var sa = e.Sa;
        var scope = sa?.Config?.Name ?? "daemon";
        switch (e)
        {
            case IkeSaEstablished:
                _retry.Remove(scope);
                var snap = SaFormatting.Snapshot(sa!);
                _log.Info(scope, $"IKE SA established: {snap.SpiI}_i {snap.SpiR}_r {snap.Role} {snap.LocalEndpoint} '{snap.LocalId}' <-> {snap.RemoteEndpoint} '{snap.RemoteId}' {snap.Algorithms}{(sa!.UseNatT ? $" NAT-T (local {(sa.NatLocal ? "behind NAT" : "not behind NAT")}, remote {(sa.NatRemote ? "behind NAT" : "not behind NAT")})" : "")}");
                if (sa.Keys is { } k)
                    _log.Keys(scope, $"ike spi_i={sa.SpiI:x16} spi_r={sa.SpiR:x16} sk_d={Convert.ToHexStringLower(k.SkD)} sk_ai={Convert.ToHexStringLower(k.SkAi)} sk_ar={Convert.ToHexStringLower(k.SkAr)} sk_ei={Convert.ToHexStringLower(k.SkEi)} sk_er={Convert.ToHexStringLower(k.SkEr)} sk_pi={Convert.ToHexStringLower(k.SkPi)} sk_pr={Convert.ToHexStringLower(k.SkPr)}");
                break;
            case ChildSaEstablished c:
                var cs = SaFormatting.Snapshot(c.Child);
                _log.Info(scope, $"CHILD SA {cs.Name} established: spi_in={cs.SpiIn} spi_out={cs.SpiOut} {cs.Algorithms} {(cs.UdpEncapsulation ? "ESP-in-UDP " : "")}local [{string.Join(", ", cs.LocalTs)}] === remote [{string.Join(", ", cs.RemoteTs)}]");
                if (sa!.Config is { } installConfig) _dataplane?.Install(sa, c.Child, installConfig);
                _log.Keys(scope, $"child {cs.Name} spi_in={cs.SpiIn} spi_out={cs.SpiOut} encr_i={Convert.ToHexStringLower(c.Child.Keys.EncrI)} integ_i={Convert.ToHexStringLower(c.Child.Keys.IntegI)} encr_r={Convert.ToHexStringLower(c.Child.Keys.EncrR)} integ_r={Convert.ToHexStringLower(c.Child.Keys.IntegR)}");
                break;
            case ChildSaRekeyed r:
                _log.Info(scope, $"CHILD SA {r.New.Name} rekeyed: spi_in {r.Old.SpiIn:x8} -> {r.New.SpiIn:x8}, spi_out {r.Old.SpiOut:x8} -> {r.New.SpiOut:x8}");
                break;
            case IkeSaRekeyed r:
                _log.Info(scope, $"IKE SA rekeyed: {r.Sa!.SpiI:x16}_i {r.Sa.SpiR:x16}_r -> {r.New.SpiI:x16}_i {r.New.SpiR:x16}_r ({r.New.ChildSas.Count} Child SA(s) moved)");
                break;
            case RekeyFailed f:
                _log.Warn(scope, $"rekey failed, retrying in 30s: {f.Reason}");
                break;
            case ChildSaFailed f:
                _log.Warn(scope, $"CHILD SA not established: {f.Notify} ({f.Reason})");
                break;
            case ChildSaDeleted d:
                _log.Info(scope, $"CHILD SA {d.Child.Name} deleted{(d.ByPeer ? " by peer" : "")}: spi_in={d.Child.SpiIn:x8} spi_out={d.Child.SpiOut:x8}");
                if (sa!.Config is { } removeConfig)
                    _dataplane?.Remove(d.Child, removeConfig, lastOfItsName: !_manager.Sas.Any(s => s.ChildSas.Any(o => o != d.Child && o.Name == d.Child.Name && !o.Rekeyed && s.Config == removeConfig)));
                break;
            case IkeSaClosed closed:
                var msg = $"IKE SA {closed.Sa!.SpiI:x16}_i {closed.Sa.SpiR:x16}_r closed: {closed.Reason}{(closed.Notify is { } n ? $" ({n})" : "")}: {closed.Detail}";
                if (closed.Reason is IkeSaCloseReason.Failed or IkeSaCloseReason.PeerUnreachable) _log.Warn(scope, msg);
                else _log.Info(scope, msg);
                _lastKeepalive.Remove(closed.Sa.LocalSpi);
                // An initiating tunnel comes back, but not in a tight loop with a peer that keeps closing it.
                if (closed.Reason != IkeSaCloseReason.Rekeyed && closed.Sa.Config is { StartAction: StartAction.Initiate } && !_retry.ContainsKey(scope))
                    _retry[scope] = (_time.GetUtcNow() + ReinitiateDelay, ReinitiateDelay / 2);
                break;
            case MessageDropped drop:
                LogDrop(scope, drop);
                break;
        }
    }
}
