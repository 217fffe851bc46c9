using System.Text;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.KubeClient.Events;

namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// Turns what the IKE SAs report (<see cref="IkeSaEvent"/>) into what a tunnel's status and Events show, and
/// hands both to an <see cref="ITunnelStatusSink"/>. It lives on the daemon's event loop, next to the
/// <see cref="IkeSaManager"/>, and does no I/O: after each batch of events it publishes, for every tunnel the
/// batch touched, a snapshot built from the live SAs, plus the conditions' failure reasons it remembers
/// (AuthenticationFailed stays the IkeSaEstablished reason while the daemon retries, until an SA is up).
/// </summary>
public sealed class TunnelStatusTracker
{
    private readonly ITunnelStatusSink _sink;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, TunnelState> _tunnels = new(StringComparer.Ordinal);

    private sealed class TunnelState(TunnelConfig config)
    {
        public TunnelConfig Config { get; } = config;
        public TunnelKey Key { get; } = TunnelKey.Parse(config.Name);
        public (string Reason, string Message)? IkeFailure { get; set; }
        public (string Reason, string Message)? ChildFailure { get; set; }
        public DaemonCondition? IkeCondition { get; set; }
        public DaemonCondition? ChildCondition { get; set; }
        public long RekeyCount { get; set; }
        public DateTimeOffset? LastRekeyAt { get; set; }
    }

    public TunnelStatusTracker(IEnumerable<TunnelConfig> tunnels, ITunnelStatusSink sink, TimeProvider time)
    {
        _sink = sink;
        _time = time;
        foreach (var tunnel in tunnels) _tunnels[tunnel.Name] = new TunnelState(tunnel);
    }

    /// <summary>Publishes every tunnel's snapshot: at start, this replaces whatever a previous daemon left in the status.</summary>
    public void Start(IEnumerable<IkeSa> sas)
    {
        var all = sas.ToList();
        foreach (var state in _tunnels.Values) _sink.SnapshotChanged(Snapshot(state, all));
    }

    /// <summary>Handles one batch of events (the output of one datagram, timer tick or owner call) and the SAs after it.</summary>
    public void Observe(IReadOnlyList<IkeSaEvent> events, IEnumerable<IkeSa> sas)
    {
        if (events.Count == 0) return;
        var now = _time.GetUtcNow();
        var touched = new List<TunnelState>();
        // A rekey raises ChildSaEstablished for the new SA and then ChildSaRekeyed: report it once, as a rekey.
        var rekeyedInto = events.OfType<ChildSaRekeyed>().Select(r => r.New).ToHashSet();
        // An IKE SA that closes takes its Child SAs with it: report one Deleted, not one per Child SA.
        var closing = events.OfType<IkeSaClosed>().Select(c => c.Sa!).ToHashSet();
        foreach (var e in events)
        {
            if (TunnelOf(e.Sa) is not { } state) continue;
            if (!touched.Contains(state)) touched.Add(state);
            var tunnelEvent = Apply(state, e, rekeyedInto, closing, now);
            if (tunnelEvent is not null) _sink.EventHappened(tunnelEvent);
        }
        if (touched.Count == 0) return;
        var all = sas.ToList();
        foreach (var state in touched) _sink.SnapshotChanged(Snapshot(state, all));
    }

    /// <summary>
    /// The daemon is stopping and sent a Delete for each of <paramref name="deleted"/> without waiting for the
    /// answers (RFC 7296 §1.4.1): the SAs are gone from this end, so every tunnel is published without an SA.
    /// </summary>
    public void Stopped(IReadOnlyCollection<IkeSa> deleted)
    {
        foreach (var sa in deleted)
        {
            if (TunnelOf(sa) is not { } state) continue;
            state.IkeFailure = (TunnelEventReasons.Deleted, $"the IKE daemon stopped and deleted the IKE SA with {sa.RemoteEndpoint}");
            state.ChildFailure = null;
            _sink.EventHappened(new TunnelEvent(state.Key, EventType.Normal, TunnelEventReasons.Deleted, "DeleteIkeSa",
                $"IKE SA deleted by this end (the IKE daemon is stopping): SPIs {sa.SpiI:x16}_i {sa.SpiR:x16}_r"));
        }
        foreach (var state in _tunnels.Values) _sink.SnapshotChanged(Snapshot(state, []));
    }

    private TunnelState? TunnelOf(IkeSa? sa)
    {
        // A responder knows its tunnel only once IKE_AUTH matched the peer's identity; before that (or when
        // authentication failed) it is the tunnel when exactly one is configured for that peer.
        var config = sa?.Config ?? (sa?.Candidates.Count == 1 ? sa.Candidates[0] : null);
        return config is not null && _tunnels.TryGetValue(config.Name, out var state) ? state : null;
    }

    private static TunnelEvent? Apply(TunnelState state, IkeSaEvent e, HashSet<ChildSa> rekeyedInto, HashSet<IkeSa> closing, DateTimeOffset now)
    {
        var key = state.Key;
        switch (e)
        {
            case IkeSaEstablished { Sa: { } sa }:
                state.IkeFailure = null;
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.Established, "EstablishIkeSa",
                    $"IKE SA established with {sa.RemoteEndpoint} as {(sa.IsInitiator ? "initiator" : "responder")}: SPIs {sa.SpiI:x16}_i {sa.SpiR:x16}_r, {IkeAlgorithms(sa)}{Nat(sa)}");

            case ChildSaEstablished { Child: var c }:
                state.ChildFailure = null;
                if (rekeyedInto.Contains(c)) return null;
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.Established, "EstablishChildSa",
                    $"Child SA {c.Name} established: SPIs {c.SpiIn:x8}_in {c.SpiOut:x8}_out, {ChildAlgorithms(c)}{(c.UdpEncapsulation ? ", ESP in UDP" : "")}, {Selectors(c.LocalTs)} === {Selectors(c.RemoteTs)}");

            case ChildSaRekeyed r:
                state.RekeyCount++;
                state.LastRekeyAt = now;
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.ChildSaRekeyed, "RekeyChildSa",
                    $"Child SA {r.New.Name} rekeyed: SPIs {r.Old.SpiIn:x8}_in {r.Old.SpiOut:x8}_out -> {r.New.SpiIn:x8}_in {r.New.SpiOut:x8}_out, {ChildAlgorithms(r.New)}");

            case IkeSaRekeyed r:
                state.RekeyCount++;
                state.LastRekeyAt = now;
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.IkeSaRekeyed, "RekeyIkeSa",
                    $"IKE SA rekeyed: SPIs {r.Sa!.SpiI:x16}_i {r.Sa.SpiR:x16}_r -> {r.New.SpiI:x16}_i {r.New.SpiR:x16}_r, {IkeAlgorithms(r.New)}");

            case RekeyFailed f:
                return new TunnelEvent(key, EventType.Warning, TunnelEventReasons.RekeyFailed, "Rekey", $"rekey failed, retrying: {f.Reason}");

            case ChildSaFailed f:
            {
                var reason = ReasonFor(f.Notify) ?? TunnelEventReasons.NegotiationFailed;
                var message = $"Child SA {state.Config.ChildName} with {f.Sa!.RemoteEndpoint} not established: {NotifyName(f.Notify)}: {f.Reason}";
                state.ChildFailure = (reason, message);
                return new TunnelEvent(key, EventType.Warning, reason, "EstablishChildSa", message);
            }

            case ChildSaDeleted d:
                if (d.Child.Rekeyed || closing.Contains(d.Sa!)) return null;
                state.ChildFailure = (TunnelEventReasons.Deleted, $"Child SA {d.Child.Name} was deleted {(d.ByPeer ? "by the peer" : "by this end")}");
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.Deleted, "DeleteChildSa",
                    $"Child SA {d.Child.Name} deleted {(d.ByPeer ? "by the peer" : "by this end")}: SPIs {d.Child.SpiIn:x8}_in {d.Child.SpiOut:x8}_out");

            case IkeSaClosed c:
                return Closed(state, c);

            default:
                return null;
        }
    }

    private static TunnelEvent? Closed(TunnelState state, IkeSaClosed c)
    {
        var sa = c.Sa!;
        var key = state.Key;
        switch (c.Reason)
        {
            case IkeSaCloseReason.Rekeyed:
                return null;
            case IkeSaCloseReason.DeletedLocally or IkeSaCloseReason.DeletedByPeer:
            {
                var by = c.Reason == IkeSaCloseReason.DeletedByPeer ? "by the peer" : "by this end";
                state.IkeFailure = (TunnelEventReasons.Deleted, $"the IKE SA with {sa.RemoteEndpoint} was deleted {by}");
                var children = sa.EstablishedAt is null ? "" : $" (with its Child SAs)";
                return new TunnelEvent(key, EventType.Normal, TunnelEventReasons.Deleted, "DeleteIkeSa",
                    $"IKE SA deleted {by}{children}: SPIs {sa.SpiI:x16}_i {sa.SpiR:x16}_r");
            }
            case IkeSaCloseReason.PeerUnreachable or IkeSaCloseReason.HalfOpenTimeout:
            {
                var message = $"peer {sa.RemoteEndpoint} is unreachable: {c.Detail}";
                state.IkeFailure = (TunnelEventReasons.PeerUnreachable, message);
                return new TunnelEvent(key, EventType.Warning, TunnelEventReasons.PeerUnreachable, "Negotiate", message);
            }
            default:
            {
                var reason = c.Notify is { } n ? ReasonFor(n) ?? TunnelEventReasons.NegotiationFailed : TunnelEventReasons.NegotiationFailed;
                var message = $"IKE SA with {sa.RemoteEndpoint} failed: {(c.Notify is { } notify ? NotifyName(notify) + ": " : "")}{c.Detail}";
                state.IkeFailure = (reason, message);
                return new TunnelEvent(key, EventType.Warning, reason, "Negotiate", message);
            }
        }
    }

    private static string? ReasonFor(NotifyType notify) => notify switch
    {
        NotifyType.AuthenticationFailed => TunnelEventReasons.AuthenticationFailed,
        NotifyType.NoProposalChosen => TunnelEventReasons.NoProposalChosen,
        NotifyType.TsUnacceptable => TunnelEventReasons.TrafficSelectorUnacceptable,
        _ => null,
    };

    /// <summary>The RFC spelling of a notify type: <c>TsUnacceptable</c> is printed <c>TS_UNACCEPTABLE</c>.</summary>
    internal static string NotifyName(NotifyType notify)
    {
        var name = notify.ToString();
        if (int.TryParse(name, out _)) return $"notify {name}";
        var text = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) text.Append('_');
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }

    private TunnelSaStatus Snapshot(TunnelState state, IReadOnlyList<IkeSa> all)
    {
        var now = _time.GetUtcNow();
        var sa = all.Where(s => s.State == IkeSaState.Established && s.Config?.Name == state.Config.Name)
            .OrderByDescending(s => s.EstablishedAt).ThenByDescending(s => s.RekeyCount).FirstOrDefault();
        var children = sa?.ChildSas.Where(c => !c.Rekeyed).ToList() ?? [];

        var ike = sa is not null
            ? (V1Alpha1ConditionStatus.True, TunnelEventReasons.Established, $"IKE SA {sa.SpiI:x16}_i {sa.SpiR:x16}_r established with {sa.RemoteEndpoint}, {IkeAlgorithms(sa)}")
            : state.IkeFailure is { } f
                ? (V1Alpha1ConditionStatus.False, f.Reason, f.Message)
                : state.Config.StartAction == StartAction.Initiate
                    ? (V1Alpha1ConditionStatus.False, "Connecting", $"initiating the IKE SA to {state.Config.PeerHost}")
                    : (V1Alpha1ConditionStatus.False, "WaitingForPeer", $"waiting for {state.Config.PeerHost} to initiate");
        var child = children.Count > 0
            ? (V1Alpha1ConditionStatus.True, TunnelEventReasons.Established, $"{children.Count} Child SA(s) installed: {string.Join(", ", children.Select(c => $"{c.Name} {c.SpiIn:x8}_in {c.SpiOut:x8}_out"))}")
            : sa is null
                ? (V1Alpha1ConditionStatus.False, "IkeSaNotEstablished", "a Child SA needs an established IKE SA")
                : state.ChildFailure is { } cf
                    ? (V1Alpha1ConditionStatus.False, cf.Reason, cf.Message)
                    : (V1Alpha1ConditionStatus.False, "Negotiating", "the IKE SA is up; no Child SA is installed");

        state.IkeCondition = Condition(state.IkeCondition, ike, now);
        state.ChildCondition = Condition(state.ChildCondition, child, now);
        return new TunnelSaStatus
        {
            Tunnel = state.Key,
            IkeSaEstablished = state.IkeCondition,
            ChildSaEstablished = state.ChildCondition,
            IkeSa = sa is null ? null : IkeSaStatus(sa),
            ChildSas = children.Select(ChildSaStatus).ToList(),
            RekeyCount = state.RekeyCount,
            LastRekeyAt = state.LastRekeyAt is { } at ? Seconds(at) : null,
        };
    }

    private static DaemonCondition Condition(DaemonCondition? previous, (V1Alpha1ConditionStatus Status, string Reason, string Message) next, DateTimeOffset now) =>
        new(next.Status, next.Reason, next.Message, previous is not null && previous.Status == next.Status ? previous.Since : Seconds(now));

    private static V1Alpha1IkeSaStatus IkeSaStatus(IkeSa sa) => new()
    {
        SpiI = sa.SpiI.ToString("x16"),
        SpiR = sa.SpiR.ToString("x16"),
        Algorithms = IkeAlgorithms(sa),
        LocalEndpoint = sa.LocalEndpoint.ToString(),
        RemoteEndpoint = sa.RemoteEndpoint.ToString(),
        NatDetected = sa.UseNatT,
        EstablishedAt = sa.EstablishedAt is { } at ? Seconds(at) : null,
        NextRekeyAt = sa.IkeRekeyAt == DateTimeOffset.MaxValue ? null : Seconds(sa.IkeRekeyAt),
    };

    private static V1Alpha1ChildSaStatus ChildSaStatus(ChildSa c) => new()
    {
        Name = c.Name,
        SpiIn = c.SpiIn.ToString("x8"),
        SpiOut = c.SpiOut.ToString("x8"),
        Algorithms = ChildAlgorithms(c),
        LocalTs = c.LocalTs.Select(TrafficSelectorText.Format).ToList(),
        RemoteTs = c.RemoteTs.Select(TrafficSelectorText.Format).ToList(),
        // The ESP counters live in the dataplane, which does not report them to the IKE daemon yet.
        BytesIn = 0,
        BytesOut = 0,
        PacketsIn = 0,
        PacketsOut = 0,
        EstablishedAt = Seconds(c.EstablishedAt),
        NextRekeyAt = c.RekeyAt == DateTimeOffset.MaxValue ? null : Seconds(c.RekeyAt),
    };

    private static string IkeAlgorithms(IkeSa sa) => sa.IkeProposal is { } p ? ProposalFormatter.Format(p.ToProposal([])) : "(not negotiated)";

    private static string ChildAlgorithms(ChildSa c) => ProposalFormatter.Format(c.Proposal.ToProposal([]));

    private static string Selectors(IReadOnlyList<Ike.Messages.TrafficSelector> selectors) => string.Join(" ", selectors.Select(TrafficSelectorText.Format));

    private static string Nat(IkeSa sa) => !sa.UseNatT ? "" :
        $", NAT detected ({(sa.NatLocal ? "this end" : "")}{(sa.NatLocal && sa.NatRemote ? " and " : "")}{(sa.NatRemote ? "the peer" : "")} behind NAT)";

    /// <summary>Kubernetes times have one-second resolution.</summary>
    internal static DateTimeOffset Seconds(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
}
