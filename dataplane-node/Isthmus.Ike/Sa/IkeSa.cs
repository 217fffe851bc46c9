using System.Net;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa.Tasks;

namespace Isthmus.Ike.Sa;

/// <summary>
/// One IKE SA, either role (RFC 7296): its state, endpoints, identities, keys, Child SAs and rekey
/// lineage. It does no I/O: the owner hands it datagrams and timer ticks and sends what lands in
/// the <see cref="IkeOutput"/> it passed. Time comes from the injected <see cref="TimeProvider"/>,
/// crypto and randomness from the injected <see cref="ICryptoFactory"/> and
/// <see cref="IRandomSource"/>. Messages (IDs, retransmission, the response cache) are its
/// <see cref="TaskManager"/>'s; exchanges are carried out by tasks (<see cref="IIkeTask"/>), one
/// per concern, each in both roles.
/// </summary>
public sealed class IkeSa
{
    private readonly TimeProvider _time;
    private readonly IkeSaOptions _options;
    private readonly ICryptoFactory _crypto;
    private readonly IRandomSource _random;
    private readonly List<ChildSa> _children = [];
    private IkeSa? _rekeyedInto;
    private IkeSa? _successor;

    private IkeSa(bool isInitiator, TunnelConfig? config, IReadOnlyList<TunnelConfig> candidates, IPEndPoint local, IPEndPoint remote,
        ulong spiI, ulong spiR, TimeProvider time, IkeSaOptions options, ICryptoFactory crypto, IRandomSource random)
    {
        IsInitiator = isInitiator;
        Config = config;
        Candidates = candidates;
        LocalEndpoint = local;
        RemoteEndpoint = remote;
        SpiI = spiI;
        SpiR = spiR;
        _time = time;
        _options = options;
        _crypto = crypto;
        _random = random;
        Tasks = new TaskManager(this, time, options, crypto, random);
        CreatedAt = LastInbound = time.GetUtcNow();
    }

    /// <summary>An SA this end will initiate for <paramref name="config"/>.</summary>
    public static IkeSa CreateInitiator(TunnelConfig config, IPEndPoint local, IPEndPoint remote, TimeProvider time, ICryptoFactory crypto,
        IRandomSource random, IkeSaOptions? options = null) =>
        new(true, config, [config], local, remote, random.NewIkeSpi(), 0, time, options ?? new IkeSaOptions(), crypto, random);

    /// <summary>An SA answering an IKE_SA_INIT from <paramref name="remote"/>; the tunnel is chosen among <paramref name="candidates"/> at IKE_AUTH.</summary>
    public static IkeSa CreateResponder(IReadOnlyList<TunnelConfig> candidates, IPEndPoint local, IPEndPoint remote, ulong spiI,
        TimeProvider time, ICryptoFactory crypto, IRandomSource random, IkeSaOptions? options = null) =>
        new(false, null, candidates, local, remote, spiI, random.NewIkeSpi(), time, options ?? new IkeSaOptions(), crypto, random);

    public bool IsInitiator { get; }
    public IkeSaState State { get; private set; }
    public TunnelConfig? Config { get; internal set; }
    public IReadOnlyList<TunnelConfig> Candidates { get; }
    public ulong SpiI { get; }
    public ulong SpiR { get; internal set; }

    /// <summary>The SPI this end chose, which names the SA in its tables.</summary>
    public ulong LocalSpi => IsInitiator ? SpiI : SpiR;
    public IPEndPoint LocalEndpoint { get; private set; }
    public IPEndPoint RemoteEndpoint { get; private set; }

    /// <summary>This end is behind a NAT (RFC 7296 §2.23).</summary>
    public bool NatLocal { get; internal set; }
    /// <summary>The peer is behind a NAT.</summary>
    public bool NatRemote { get; internal set; }
    /// <summary>IKE on UDP 4500 and ESP in UDP, because a NAT was detected.</summary>
    public bool UseNatT => NatLocal || NatRemote;

    public SelectedProposal? IkeProposal => Keymat?.Proposal;
    public IkeIdentity? PeerIdentity { get; internal set; }
    public IReadOnlyList<ChildSa> ChildSas => _children;
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset? EstablishedAt { get; private set; }
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Messages dropped by this SA (bad ICV, wrong message ID, not allowed in this state).</summary>
    public long DroppedMessages => Tasks.DroppedMessages;

    /// <summary>The SK_* keys, for the --debug-keys log only. Never printed by ToString or snapshots.</summary>
    public IkeKeys? Keys => Keymat?.Keys;

    internal TaskManager Tasks { get; }
    internal IkeKeymat? Keymat { get; private set; }
    internal IKeyExchange? KeyExchange { get; set; }
    internal byte[]? Ni { get; set; }
    internal byte[]? Nr { get; set; }
    /// <summary>The IKE_SA_INIT request and response as sent, signed by AUTH (RFC 7296 §2.15); set by the task manager.</summary>
    internal byte[]? InitRequest { get; set; }
    internal byte[]? InitResponse { get; set; }
    /// <summary>When an authenticated message last arrived; DPD probes after a quiet <see cref="TunnelConfig.DpdDelay"/>.</summary>
    internal DateTimeOffset LastInbound { get; set; }

    /// <summary>When <see cref="OnTimer"/> should next be called, or null.</summary>
    public DateTimeOffset? NextTimerAt
    {
        get
        {
            if (State == IkeSaState.Closed) return null;
            var next = Tasks.RetransmitAt;
            if (State != IkeSaState.Established) { if (!IsInitiator) next = Min(next, CreatedAt + _options.HalfOpenTimeout); }
            else if (Tasks.IsIdle && _rekeyedInto is null)
            {
                if (Config is { DpdDelay: var dpd } && dpd > TimeSpan.Zero) next = Min(next, LastInbound + dpd);
                next = Min(next, IkeRekeyAt);
                foreach (var c in _children) if (!c.Rekeyed && !c.Rekeying) next = Min(next, c.RekeyAt);
            }
            return next;
        }
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    /// <summary>Starts IKE_SA_INIT and queues IKE_AUTH with the first Child SA (initiator only).</summary>
    public void Initiate(IkeOutput output)
    {
        if (!IsInitiator || State != IkeSaState.Created || !Tasks.IsIdle) return;
        Tasks.QueueIkeSaInitAndAuth();
        Tasks.Initiate(output);
    }

    /// <summary>Deletes the IKE SA (and its Child SAs) with an INFORMATIONAL exchange, or at once when not established.</summary>
    public void Delete(IkeOutput output)
    {
        if (State == IkeSaState.Closed) return;
        if (State != IkeSaState.Established)
        {
            Close(output, IkeSaCloseReason.DeletedLocally, null, "deleted before it was established");
            return;
        }
        Tasks.ClearQueue();
        Tasks.QueueIkeDelete();
        State = IkeSaState.Deleting;
        Tasks.Initiate(output);
    }

    /// <summary>Deletes one Child SA with an INFORMATIONAL exchange.</summary>
    public void DeleteChild(ChildSa child, IkeOutput output)
    {
        if (State != IkeSaState.Established || !_children.Contains(child)) return;
        Tasks.QueueChildDelete(child);
        Tasks.Initiate(output);
    }

    /// <summary>
    /// Rekeys <paramref name="child"/> now, e.g. because the dataplane reported its soft byte or packet
    /// limit (RFC 7296 §2.8); it starts as soon as no other exchange is outstanding.
    /// </summary>
    public void RekeyChild(ChildSa child, IkeOutput output)
    {
        if (State != IkeSaState.Established || !_children.Contains(child) || child.Rekeyed || child.Rekeying) return;
        child.RekeyAt = Now;
        OnTimer(output);
    }

    /// <summary>Retransmits, times out half-open SAs, and starts rekeys and DPD probes when due.</summary>
    public void OnTimer(IkeOutput output)
    {
        var now = Now;
        if (State == IkeSaState.Closed) return;
        if (!IsInitiator && State is IkeSaState.Created or IkeSaState.Connecting && now >= CreatedAt + _options.HalfOpenTimeout)
        {
            Close(output, IkeSaCloseReason.HalfOpenTimeout, null, "IKE_SA_INIT/IKE_AUTH did not complete in time");
            return;
        }
        if (Tasks.RetransmitIfDue(output)) return;
        if (State != IkeSaState.Established || _rekeyedInto is not null || !Tasks.IsIdle || Tasks.HasQueued) return;
        if (now >= IkeRekeyAt) Tasks.QueueIkeRekey();
        else if (_children.FirstOrDefault(c => !c.Rekeyed && !c.Rekeying && now >= c.RekeyAt) is { } due) Tasks.QueueChildRekey(due);
        else if (Config!.DpdDelay > TimeSpan.Zero && now >= LastInbound + Config.DpdDelay) Tasks.QueueDpd();
        Tasks.Initiate(output);
    }

    /// <summary>
    /// Handles a datagram addressed to this SA. <paramref name="message"/> is its decoding
    /// (header and outer payloads); <paramref name="datagram"/> the exact bytes (without the
    /// non-ESP marker), needed for the ICV and for AUTH.
    /// </summary>
    public void ProcessMessage(ReadOnlySpan<byte> datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote, IkeOutput output) =>
        Tasks.ProcessMessage(datagram, message, local, remote, output);

    /// <summary>Our response to the peer's IKE_SA_INIT or IKE_AUTH request went out (RFC 7296 §1.2).</summary>
    internal void Responded(ExchangeType exchange, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        if (exchange == ExchangeType.IkeSaInit) State = IkeSaState.Connecting;
        if (exchange != ExchangeType.IkeAuth) return;
        // RFC 3948 §4: the responder follows the initiator to the port it floated to.
        LocalEndpoint = local;
        RemoteEndpoint = remote;
        Establish(output);
    }

    /// <summary>Every task processed the peer's response to our IKE_SA_INIT or IKE_AUTH request.</summary>
    internal void Completed(ExchangeType exchange, IkeOutput output)
    {
        if (exchange == ExchangeType.IkeAuth) Establish(output);
        if (exchange != ExchangeType.IkeSaInit) return;
        State = IkeSaState.Connecting;
        if (!UseNatT) return;
        // RFC 7296 §2.23: float to port 4500 once a NAT is detected.
        LocalEndpoint = new IPEndPoint(LocalEndpoint.Address, _options.NatTPort);
        RemoteEndpoint = new IPEndPoint(RemoteEndpoint.Address, _options.NatTPort);
    }

    private void Establish(IkeOutput output)
    {
        State = IkeSaState.Established;
        EstablishedAt = Now;
        IkeRekeyAt = RekeyTime(Config!.IkeRekeyTime);
        foreach (var child in _children) child.RekeyAt = RekeyTime(Config.ChildRekeyTime);
        KeyExchange?.Dispose();
        KeyExchange = null;
        output.Raise(new IkeSaEstablished(this));
        foreach (var child in _children) output.Raise(new ChildSaEstablished(this, child));
    }

    internal void Close(IkeOutput output, IkeSaCloseReason reason, NotifyType? notify, string detail)
    {
        if (State == IkeSaState.Closed) return;
        State = IkeSaState.Closed;
        Tasks.Flush();
        KeyExchange?.Dispose();
        KeyExchange = null;
        foreach (var child in _children.ToList()) RemoveChildSa(child, byPeer: reason == IkeSaCloseReason.DeletedByPeer, output);
        output.Raise(new IkeSaClosed(this, reason, notify, detail));
    }

    /// <summary>The IKE SA was deleted with an INFORMATIONAL exchange (RFC 7296 §1.4.1); after a rekey that is its replacement.</summary>
    internal void CloseDeleted(bool byPeer, IkeOutput output)
    {
        if (_rekeyedInto is not null) Close(output, IkeSaCloseReason.Rekeyed, null, $"replaced by {_rekeyedInto}");
        else if (byPeer) Close(output, IkeSaCloseReason.DeletedByPeer, null, "peer deleted the IKE SA");
        else Close(output, IkeSaCloseReason.DeletedLocally, null, "IKE SA deleted");
    }

    /// <summary>Derives SKEYSEED and the SK_* keys of IKE_SA_INIT from Ni, Nr and both SPIs (RFC 7296 §2.14).</summary>
    internal bool TryDeriveIkeKeys(SelectedProposal selected, byte[] sharedSecret, out string? reason)
    {
        if (!IkeKeymat.TryDerive(_crypto, _random, selected, Ni!, Nr!, SpiI, SpiR, sharedSecret, IsInitiator, out var keymat, out reason))
            return false;
        Keymat = keymat;
        return true;
    }

    internal void AddChildSa(ChildSa child, IkeOutput output)
    {
        _children.Add(child);
        if (Config is not null) child.RekeyAt = RekeyTime(Config.ChildRekeyTime);
        if (State == IkeSaState.Established) output.Raise(new ChildSaEstablished(this, child));
    }

    internal void RemoveChildSa(ChildSa child, bool byPeer, IkeOutput output)
    {
        if (_children.Remove(child)) output.Raise(new ChildSaDeleted(this, child, byPeer));
    }

    internal void ReportChildFailure(NotifyType notify, string reason, IkeOutput output) =>
        output.Raise(new ChildSaFailed(this, notify, reason));

    /// <summary>When this end rekeys the IKE SA.</summary>
    public DateTimeOffset IkeRekeyAt { get; private set; } = DateTimeOffset.MaxValue;

    /// <summary>Rekeys completed on this tunnel (Child SAs and IKE SA), carried over to the successor IKE SA.</summary>
    public int RekeyCount { get; private set; }
    public DateTimeOffset? LastRekeyAt { get; private set; }

    /// <summary>The IKE SA that replaced this one, once, for the owner to register (then null).</summary>
    public IkeSa? TakeSuccessor()
    {
        var s = _successor;
        _successor = null;
        return s;
    }

    /// <summary>True once a rekey replaced this IKE SA: it only waits for its Delete.</summary>
    internal bool IsRekeyed => _rekeyedInto is not null;

    /// <summary>True while our CREATE_CHILD_SA rekeying the IKE SA is outstanding.</summary>
    internal bool IsRekeyingIke => Tasks.ActiveTasks.Any(t => t is IkeRekey);

    /// <summary>Rekey early (as strongSwan's rand_time does) so both ends rarely rekey at once (RFC 7296 §2.8.1).</summary>
    private DateTimeOffset RekeyTime(TimeSpan rekeyTime) => rekeyTime <= TimeSpan.Zero
        ? DateTimeOffset.MaxValue
        : Now + rekeyTime - TimeSpan.FromTicks((long)(rekeyTime.Ticks * 0.05 * _random.NextDouble()));

    /// <summary>Retry after 10-30 s, randomised so that two peers that collided do not collide again.</summary>
    internal DateTimeOffset RetryTime() => Now + TimeSpan.FromSeconds(10 + 20 * _random.NextDouble());

    internal void ScheduleIkeRekeyRetry(string reason, IkeOutput output)
    {
        IkeRekeyAt = RetryTime();
        output.Raise(new RekeyFailed(this, reason));
    }

    internal void CompleteChildRekey(ChildSa old, ChildSa replacement, IkeOutput output)
    {
        old.Rekeyed = true;
        RekeyCount++;
        LastRekeyAt = Now;
        AddChildSa(replacement, output);
        output.Raise(new ChildSaRekeyed(this, old, replacement));
        // The initiator of the rekey deletes the old SA (RFC 7296 §1.3.3); the responder waits for that Delete.
        if (replacement.IsInitiator) Tasks.QueueChildDelete(old);
    }

    /// <summary>
    /// Creates the IKE SA that replaces this one and hands it the Child SAs (RFC 7296 §2.18). The side
    /// that initiated the rekey is the original initiator of the new SA, and deletes this one.
    /// </summary>
    internal bool RekeyInto(SelectedProposal selected, ulong spiI, ulong spiR, byte[] ni, byte[] nr, byte[] sharedSecret,
        bool initiatedByUs, IkeOutput output, out string? reason)
    {
        if (!Keymat!.TryDeriveRekeyed(selected, ni, nr, spiI, spiR, sharedSecret, initiatedByUs, out var keymat, out reason)) return false;
        var next = new IkeSa(initiatedByUs, Config, Candidates, LocalEndpoint, RemoteEndpoint, spiI, spiR, _time, _options, _crypto, _random)
        {
            NatLocal = NatLocal,
            NatRemote = NatRemote,
            PeerIdentity = PeerIdentity,
            Ni = ni,
            Nr = nr,
            Keymat = keymat,
            State = IkeSaState.Established,
            EstablishedAt = Now,
            RekeyCount = RekeyCount + 1,
            LastRekeyAt = Now,
        };
        next.IkeRekeyAt = next.RekeyTime(Config!.IkeRekeyTime);
        next._children.AddRange(_children.Where(c => !c.Rekeyed));
        _children.Clear();
        _rekeyedInto = next;
        _successor = next;
        output.Raise(new IkeSaRekeyed(this, next));
        if (initiatedByUs) Tasks.QueueIkeDelete();
        return true;
    }

    public override string ToString() => $"{Config?.Name ?? "?"}[{SpiI:x16}_i {SpiR:x16}_r]";
}
