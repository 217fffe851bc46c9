using System.Diagnostics.CodeAnalysis;
using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa.Tasks;

namespace Isthmus.Ike.Sa;

/// <summary>
/// One IKE SA, either role (RFC 7296). It does no I/O: the owner hands it datagrams and timer
/// ticks and sends what lands in an <see cref="IkeOutput"/>. Time comes from the injected
/// <see cref="TimeProvider"/> only. Exchanges are carried out by tasks (<see cref="IIkeTask"/>),
/// one per concern; this class owns message IDs (window size 1), retransmission with exponential
/// backoff, the cached response to a retransmitted request (§2.1-§2.2), SK protection, the
/// state checks that keep unauthenticated peers out, and DPD.
/// </summary>
public sealed class IkeSa
{
    private readonly TimeProvider _time;
    private readonly IkeSaOptions _options;
    private readonly List<ChildSa> _children = [];
    private readonly Queue<List<IIkeTask>> _queued = new();
    private Outstanding? _outstanding;
    private uint _nextRequestId;
    private uint _peerNextRequestId;
    private CachedResponse? _lastResponse;
    private DateTimeOffset _lastInbound;
    private IkeOutput? _currentOutput;

    private sealed class Outstanding(uint id, ExchangeType exchange, List<IIkeTask> tasks)
    {
        public uint Id { get; } = id;
        public ExchangeType Exchange { get; } = exchange;
        public List<IIkeTask> Tasks { get; } = tasks;
        public byte[] Bytes { get; set; } = [];
        public int Tries { get; set; }
        public DateTimeOffset NextAt { get; set; }
    }

    private sealed record CachedResponse(uint Id, ExchangeType Exchange, byte[] RequestHash, byte[] Bytes);

    private IkeSa(bool isInitiator, TunnelConfig? config, IReadOnlyList<TunnelConfig> candidates, IPEndPoint local,
        IPEndPoint remote, ulong spiI, ulong spiR, TimeProvider time, IkeSaOptions options)
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
        CreatedAt = _lastInbound = time.GetUtcNow();
    }

    /// <summary>An SA this end will initiate for <paramref name="config"/>.</summary>
    public static IkeSa CreateInitiator(TunnelConfig config, IPEndPoint local, IPEndPoint remote, TimeProvider time, IkeSaOptions? options = null) =>
        new(true, config, [config], local, remote, NewIkeSpi(), 0, time, options ?? new IkeSaOptions());

    /// <summary>An SA answering an IKE_SA_INIT from <paramref name="remote"/>; the tunnel is chosen among <paramref name="candidates"/> at IKE_AUTH.</summary>
    public static IkeSa CreateResponder(IReadOnlyList<TunnelConfig> candidates, IPEndPoint local, IPEndPoint remote, ulong spiI,
        TimeProvider time, IkeSaOptions? options = null) =>
        new(false, null, candidates, local, remote, spiI, NewIkeSpi(), time, options ?? new IkeSaOptions());

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

    public SelectedProposal? IkeProposal { get; private set; }
    public IkeIdentity? PeerIdentity { get; internal set; }
    public IReadOnlyList<ChildSa> ChildSas => _children;
    public DateTimeOffset CreatedAt { get; }
    public DateTimeOffset? EstablishedAt { get; private set; }
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Messages dropped by this SA (bad ICV, wrong message ID, not allowed in this state).</summary>
    public long DroppedMessages { get; private set; }

    internal IKeyExchange? KeyExchange { get; set; }
    internal byte[]? Ni { get; set; }
    internal byte[]? Nr { get; set; }
    /// <summary>The SK_* keys, for the --debug-keys log only. Never printed by ToString or snapshots.</summary>
    public IkeKeys? Keys { get; private set; }
    internal IPrf? Prf { get; private set; }
    internal byte[]? InitRequest { get; private set; }
    internal byte[]? InitResponse { get; private set; }
    private EncryptedPayloadProtector? _protector;

    /// <summary>When <see cref="OnTimer"/> should next be called, or null.</summary>
    public DateTimeOffset? NextTimerAt
    {
        get
        {
            if (State == IkeSaState.Closed) return null;
            DateTimeOffset? next = _outstanding?.NextAt;
            if (State != IkeSaState.Established) { if (!IsInitiator) next = Min(next, CreatedAt + _options.HalfOpenTimeout); }
            else if (_outstanding is null && _rekeyedInto is null)
            {
                if (Config is { DpdDelay: var dpd } && dpd > TimeSpan.Zero) next = Min(next, _lastInbound + dpd);
                next = Min(next, IkeRekeyAt);
                foreach (var c in _children) if (!c.Rekeyed && !c.Rekeying) next = Min(next, c.RekeyAt);
            }
            return next;
        }
    }

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;

    // ---------------------------------------------------------------- owner API

    /// <summary>Starts IKE_SA_INIT and queues IKE_AUTH with the first Child SA (initiator only).</summary>
    public void Initiate(IkeOutput output)
    {
        if (!IsInitiator || State != IkeSaState.Created || _outstanding is not null) return;
        _queued.Enqueue([new IkeInit(this), new IkeNatDetection(this)]);
        _queued.Enqueue([new IkeAuth(this), new ChildCreate(this)]);
        Run(output, StartNextExchange);
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
        _queued.Clear();
        _queued.Enqueue([new IkeDelete(this)]);
        State = IkeSaState.Deleting;
        if (_outstanding is null) Run(output, StartNextExchange);
    }

    /// <summary>Deletes one Child SA with an INFORMATIONAL exchange.</summary>
    public void DeleteChild(ChildSa child, IkeOutput output)
    {
        if (State != IkeSaState.Established || !_children.Contains(child)) return;
        _queued.Enqueue([new ChildDelete(this, child)]);
        if (_outstanding is null) Run(output, StartNextExchange);
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

    /// <summary>Retransmits, times out half-open SAs, and sends DPD probes when due.</summary>
    public void OnTimer(IkeOutput output) => Run(output, () =>
    {
        var now = Now;
        if (State == IkeSaState.Closed) return;
        if (!IsInitiator && State is IkeSaState.Created or IkeSaState.Connecting && now >= CreatedAt + _options.HalfOpenTimeout)
        {
            Close(output, IsInitiator ? IkeSaCloseReason.PeerUnreachable : IkeSaCloseReason.HalfOpenTimeout, null,
                "IKE_SA_INIT/IKE_AUTH did not complete in time");
            return;
        }
        if (_outstanding is { } o && now >= o.NextAt)
        {
            if (o.Tries >= _options.RetransmitTries)
            {
                Close(output, IkeSaCloseReason.PeerUnreachable, null,
                    $"no response to {o.Exchange} request {o.Id} after {o.Tries + 1} transmissions");
                return;
            }
            o.Tries++;
            o.NextAt = now + RetransmitDelay(o.Tries);
            output.Send(new OutgoingDatagram(o.Bytes, LocalEndpoint, RemoteEndpoint));
            return;
        }
        if (State != IkeSaState.Established || _rekeyedInto is not null || _outstanding is not null || _queued.Count > 0) return;
        if (now >= IkeRekeyAt)
        {
            _queued.Enqueue([new IkeRekey(this)]);
        }
        else if (_children.FirstOrDefault(c => !c.Rekeyed && !c.Rekeying && now >= c.RekeyAt) is { } due)
        {
            _queued.Enqueue([new ChildRekey(this, due)]);
        }
        else if (Config!.DpdDelay > TimeSpan.Zero && now >= _lastInbound + Config.DpdDelay)
        {
            _queued.Enqueue([new IkeDpd(this)]);
        }
        StartNextExchange();
    });

    /// <summary>
    /// Handles a datagram addressed to this SA. <paramref name="message"/> is its decoding
    /// (header and outer payloads); <paramref name="datagram"/> the exact bytes (without the
    /// non-ESP marker), needed for the ICV and for AUTH.
    /// </summary>
    public void ProcessMessage(ReadOnlySpan<byte> datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var bytes = datagram.ToArray();
        Run(output, () =>
        {
            if (State == IkeSaState.Closed)
            {
                Drop(remote, "IKE SA is closed");
                return;
            }
            var h = message.Header;
            // RFC 7296 §3.1: the Initiator flag names the original initiator of the IKE SA.
            if (h.IsFromInitiator == IsInitiator)
            {
                Drop(remote, "Initiator flag does not match the SA's roles");
                return;
            }
            if (h.IsResponse) HandleResponse(bytes, message, local, remote);
            else HandleRequest(bytes, message, local, remote);
        });
    }

    // ---------------------------------------------------------------- requests (we answer)

    private void HandleRequest(byte[] datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote)
    {
        var h = message.Header;
        if (_lastResponse is { } cached && h.MessageId == cached.Id && h.Exchange == cached.Exchange)
        {
            // RFC 7296 §2.1: a retransmitted request gets the same response, without new processing.
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(datagram), cached.RequestHash))
                _currentOutput!.Send(new OutgoingDatagram(cached.Bytes, local, remote));
            else Drop(remote, $"message ID {h.MessageId} reused for a different request");
            return;
        }
        if (h.MessageId != _peerNextRequestId)
        {
            Drop(remote, $"request with message ID {h.MessageId}, expected {_peerNextRequestId}");
            return;
        }

        var allowed = (State, h.Exchange) switch
        {
            // Only the original initiator sends IKE_SA_INIT and IKE_AUTH requests (RFC 7296 §1.2).
            (IkeSaState.Created, ExchangeType.IkeSaInit) => !IsInitiator,
            (IkeSaState.Connecting, ExchangeType.IkeAuth) => !IsInitiator,
            (IkeSaState.Established or IkeSaState.Deleting, ExchangeType.Informational or ExchangeType.CreateChildSa) => true,
            _ => false,
        };
        if (!allowed)
        {
            // Before IKE_AUTH completes only IKE_AUTH is allowed: anything else is an authentication bypass attempt.
            Drop(remote, $"{h.Exchange} request not allowed in state {State}");
            return;
        }

        IReadOnlyList<Payload> payloads;
        if (h.Exchange == ExchangeType.IkeSaInit)
        {
            payloads = message.Payloads;
        }
        else
        {
            var inner = Decrypt(datagram, message, remote);
            if (inner is null) return;
            if (!PayloadChain.TryRead(inner, ((EncryptedPayload)message.Payloads[^1]).InnerFirst, out var parsed, out var error, insideEncrypted: true))
            {
                _lastInbound = Now;
                RespondWithError(datagram, h, new NotifyPayload(error.Notify, error.NotifyData), local, remote);
                if (h.Exchange == ExchangeType.IkeAuth) Close(_currentOutput!, IkeSaCloseReason.Failed, error.Notify, error.Reason);
                return;
            }
            payloads = parsed;
        }
        _lastInbound = Now;
        var request = message with { Payloads = payloads };

        if (MessageRules.Check(h.Exchange, payloads) is { } violation)
        {
            RespondWithError(datagram, h, new NotifyPayload(NotifyType.InvalidSyntax), local, remote);
            if (h.Exchange is ExchangeType.IkeSaInit or ExchangeType.IkeAuth)
                Close(_currentOutput!, IkeSaCloseReason.Failed, NotifyType.InvalidSyntax, violation);
            return;
        }

        if (h.Exchange == ExchangeType.CreateChildSa && (State == IkeSaState.Deleting || _rekeyedInto is not null))
        {
            // RFC 7296 §2.25: no new SAs on an IKE SA that is going away.
            RespondWithError(datagram, h, new NotifyPayload(NotifyType.TemporaryFailure), local, remote);
            return;
        }

        List<IIkeTask> tasks = h.Exchange switch
        {
            ExchangeType.IkeSaInit => [new IkeInit(this), new IkeNatDetection(this)],
            ExchangeType.IkeAuth => [new IkeAuth(this), new ChildCreate(this)],
            ExchangeType.CreateChildSa => [new CreateChildSaResponder(this)],
            _ => [new InformationalResponder(this)],
        };

        foreach (var task in tasks)
        {
            if (task.Process(request) != Tasks.TaskStatus.Failed) continue;
            RespondWithError(datagram, h, task.ErrorNotify!, local, remote);
            if (h.Exchange == ExchangeType.CreateChildSa)
            {
                // A refused CREATE_CHILD_SA changes nothing; the IKE SA stays (RFC 7296 §1.3).
                _currentOutput!.Raise(new ChildSaFailed(this, task.ErrorNotify!.NotifyType, task.FailureReason ?? "request refused"));
                return;
            }
            // IKE_SA_INIT errors keep no state (RFC 7296 §2.6); an IKE_AUTH failure ends the SA.
            Close(_currentOutput!, IkeSaCloseReason.Failed, task.ErrorNotify!.NotifyType, task.FailureReason ?? "request refused");
            return;
        }

        var response = new List<Payload>();
        foreach (var task in tasks) task.Build(response);
        var header = ResponseHeader(h);
        byte[] bytes;
        if (h.Exchange == ExchangeType.IkeSaInit)
        {
            bytes = new IkeMessage(header with { ResponderSpi = SpiR }, response).Encode();
            InitRequest = datagram;
            InitResponse = bytes;
        }
        else
        {
            bytes = _protector!.Protect(header, response);
        }
        CacheAndSend(datagram, h, bytes, local, remote);

        switch (h.Exchange)
        {
            case ExchangeType.IkeSaInit:
                State = IkeSaState.Connecting;
                break;
            case ExchangeType.IkeAuth:
                // RFC 3948 §4: the responder follows the initiator to the port it floated to.
                LocalEndpoint = local;
                RemoteEndpoint = remote;
                Establish();
                break;
            case ExchangeType.Informational when tasks[0] is InformationalResponder { IkeSaDeleted: true }:
                if (_rekeyedInto is not null) Close(_currentOutput!, IkeSaCloseReason.Rekeyed, null, $"replaced by {_rekeyedInto}");
                else Close(_currentOutput!, IkeSaCloseReason.DeletedByPeer, null, "peer deleted the IKE SA");
                break;
        }
    }

    private void RespondWithError(byte[] request, IkeHeader h, NotifyPayload notify, IPEndPoint local, IPEndPoint remote)
    {
        var header = ResponseHeader(h);
        var bytes = h.Exchange == ExchangeType.IkeSaInit || _protector is null
            // RFC 7296 §2.6: IKE_SA_INIT error responses carry a zero responder SPI... except a state-keeping one; we keep none.
            ? new IkeMessage(header with { ResponderSpi = 0 }, [notify]).Encode()
            : _protector.Protect(header, [notify]);
        CacheAndSend(request, h, bytes, local, remote);
    }

    private void CacheAndSend(byte[] request, IkeHeader h, byte[] response, IPEndPoint local, IPEndPoint remote)
    {
        _lastResponse = new CachedResponse(h.MessageId, h.Exchange, SHA256.HashData(request), response);
        _peerNextRequestId = h.MessageId + 1;
        _currentOutput!.Send(new OutgoingDatagram(response, local, remote));
    }

    private IkeHeader ResponseHeader(IkeHeader request) => new(SpiI, SpiR, PayloadType.NoNextPayload, request.Exchange,
        IkeHeaderFlags.Response | (IsInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None), request.MessageId, 0);

    // ---------------------------------------------------------------- responses (to our requests)

    private void HandleResponse(byte[] datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote)
    {
        var h = message.Header;
        var o = _outstanding;
        if (o is null || h.MessageId != o.Id || h.Exchange != o.Exchange)
        {
            Drop(remote, $"unexpected response with message ID {h.MessageId}");
            return;
        }

        IReadOnlyList<Payload> payloads;
        if (h.Exchange == ExchangeType.IkeSaInit)
        {
            payloads = message.Payloads;
        }
        else
        {
            var inner = Decrypt(datagram, message, remote);
            if (inner is null) return;
            if (!PayloadChain.TryRead(inner, ((EncryptedPayload)message.Payloads[^1]).InnerFirst, out var parsed, out var error, insideEncrypted: true))
            {
                Close(_currentOutput!, IkeSaCloseReason.Failed, error.Notify, $"malformed {h.Exchange} response: {error.Reason}");
                return;
            }
            payloads = parsed;
        }
        if (MessageRules.Check(h.Exchange, payloads) is { } violation)
        {
            Drop(remote, violation);
            return;
        }
        _lastInbound = Now;
        var response = message with { Payloads = payloads };
        if (o.Tasks.OfType<IkeInit>().FirstOrDefault()?.IsRepeatedCookie(response) == true)
        {
            Drop(remote, "repeated COOKIE response (answer to a retransmission)");
            return;
        }

        var needMore = false;
        foreach (var task in o.Tasks)
        {
            var status = task.Process(response);
            if (status == Tasks.TaskStatus.Failed)
            {
                _outstanding = null;
                Close(_currentOutput!, IkeSaCloseReason.Failed, task.ErrorNotify?.NotifyType, task.FailureReason ?? "exchange failed");
                return;
            }
            needMore |= status == Tasks.TaskStatus.NeedMore;
        }

        if (needMore && h.Exchange == ExchangeType.IkeSaInit)
        {
            // COOKIE or INVALID_KE_PAYLOAD: the same exchange again, still message ID 0 (RFC 7296 §2.6, §1.2).
            SendRequest(o);
            return;
        }

        _outstanding = null;
        _nextRequestId++;
        switch (h.Exchange)
        {
            case ExchangeType.IkeSaInit:
                InitResponse = datagram;
                State = IkeSaState.Connecting;
                if (UseNatT)
                {
                    // RFC 7296 §2.23: float to port 4500 once a NAT is detected.
                    LocalEndpoint = new IPEndPoint(LocalEndpoint.Address, _options.NatTPort);
                    RemoteEndpoint = new IPEndPoint(RemoteEndpoint.Address, _options.NatTPort);
                }
                break;
            case ExchangeType.IkeAuth:
                Establish();
                break;
            case ExchangeType.Informational when o.Tasks.Any(t => t is IkeDelete):
                if (_rekeyedInto is not null) Close(_currentOutput!, IkeSaCloseReason.Rekeyed, null, $"replaced by {_rekeyedInto}");
                else Close(_currentOutput!, IkeSaCloseReason.DeletedLocally, null, "IKE SA deleted");
                return;
        }
        StartNextExchange();
    }

    private void StartNextExchange()
    {
        if (_outstanding is not null || State == IkeSaState.Closed || !_queued.TryDequeue(out var tasks)) return;
        var o = new Outstanding(_nextRequestId, tasks[0].Exchange, tasks);
        _outstanding = o;
        SendRequest(o);
    }

    private void SendRequest(Outstanding o)
    {
        var payloads = new List<Payload>();
        foreach (var task in o.Tasks)
        {
            if (task.Build(payloads) != Tasks.TaskStatus.Failed) continue;
            _outstanding = null;
            Close(_currentOutput!, IkeSaCloseReason.Failed, task.ErrorNotify?.NotifyType, task.FailureReason ?? "cannot build request");
            return;
        }
        var header = new IkeHeader(SpiI, o.Exchange == ExchangeType.IkeSaInit ? 0 : SpiR, PayloadType.NoNextPayload, o.Exchange,
            IsInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None, o.Id, 0);
        o.Bytes = o.Exchange == ExchangeType.IkeSaInit
            ? new IkeMessage(header, payloads).Encode()
            : _protector!.Protect(header, payloads);
        if (o.Exchange == ExchangeType.IkeSaInit) InitRequest = o.Bytes;
        o.Tries = 0;
        o.NextAt = Now + RetransmitDelay(0);
        _currentOutput!.Send(new OutgoingDatagram(o.Bytes, LocalEndpoint, RemoteEndpoint));
    }

    private TimeSpan RetransmitDelay(int tries) =>
        TimeSpan.FromTicks((long)(_options.RetransmitTimeout.Ticks * Math.Pow(_options.RetransmitBase, tries)));

    // ---------------------------------------------------------------- shared helpers

    private byte[]? Decrypt(byte[] datagram, IkeMessage message, IPEndPoint remote)
    {
        if (_protector is null)
        {
            Drop(remote, "encrypted message before keys exist");
            return null;
        }
        if (message.Payloads.Count != 1 || message.Payloads[0] is not EncryptedPayload sk)
        {
            Drop(remote, $"{message.Header.Exchange} message must carry exactly one SK payload");
            return null;
        }
        var inner = _protector.Unprotect(datagram, sk, out var failure);
        if (inner is null) Drop(remote, failure ?? "SK payload did not verify");
        return inner;
    }

    private void Drop(IPEndPoint from, string reason)
    {
        DroppedMessages++;
        _currentOutput!.Raise(new MessageDropped(this, from, reason));
    }

    private void Establish()
    {
        State = IkeSaState.Established;
        EstablishedAt = Now;
        IkeRekeyAt = RekeyTime(Config!.IkeRekeyTime);
        foreach (var child in _children) child.RekeyAt = RekeyTime(Config.ChildRekeyTime);
        KeyExchange?.Dispose();
        KeyExchange = null;
        _currentOutput!.Raise(new IkeSaEstablished(this));
        foreach (var child in _children) _currentOutput.Raise(new ChildSaEstablished(this, child));
    }

    private void Close(IkeOutput output, IkeSaCloseReason reason, NotifyType? notify, string detail)
    {
        if (State == IkeSaState.Closed) return;
        State = IkeSaState.Closed;
        _outstanding = null;
        _queued.Clear();
        KeyExchange?.Dispose();
        KeyExchange = null;
        foreach (var child in _children.ToList()) RemoveChildSa(child, byPeer: reason == IkeSaCloseReason.DeletedByPeer);
        output.Raise(new IkeSaClosed(this, reason, notify, detail));
    }

    private void Run(IkeOutput output, Action action)
    {
        _currentOutput = output;
        try { action(); }
        finally { _currentOutput = null; }
    }

    /// <summary>The PRF, cipher and (for non-AEAD ciphers) integrity transform of a negotiated IKE proposal.</summary>
    private static bool TryCreateTransforms(SelectedProposal selected, [NotNullWhen(true)] out IPrf? prf,
        [NotNullWhen(true)] out IIkeCipher? cipher, out IIntegrity? integrity, [NotNullWhen(false)] out string? reason)
    {
        integrity = null;
        cipher = null;
        reason = null;
        if (!CryptoRegistry.TryCreatePrf(selected.Prf!.Value, out prf) ||
            !CryptoRegistry.TryCreateCipher(selected.Encryption, selected.EncryptionKeyLength, out cipher))
        {
            reason = "negotiated transforms are not supported";
            return false;
        }
        if (!cipher.IsAead && !CryptoRegistry.TryCreateIntegrity(selected.Integrity, out integrity))
        {
            reason = "negotiated integrity transform is not supported";
            return false;
        }
        return true;
    }

    internal bool DeriveIkeKeys(SelectedProposal selected, byte[] sharedSecret, out string? reason)
    {
        if (!TryCreateTransforms(selected, out var prf, out var cipher, out var integrity, out reason)) return false;
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, Ni, Nr, sharedSecret);
        Keys = KeyDerivation.DeriveIkeKeys(prf, skeyseed, Ni, Nr, SpiI, SpiR, cipher.KeySize, integrity?.KeySize ?? 0);
        CryptographicOperations.ZeroMemory(skeyseed);
        Prf = prf;
        IkeProposal = selected;
        _protector = new EncryptedPayloadProtector(cipher, integrity, Keys, IsInitiator);
        return true;
    }

    internal bool TryDeriveChildKeys(SelectedProposal selected, byte[] dhSecret, out ChildKeys? keys, out string? reason) =>
        TryDeriveChildKeys(selected, dhSecret, Ni!, Nr!, out keys, out reason);

    /// <summary>KEYMAT = prf+(SK_d, [g^ir (new)] | Ni | Nr) with the nonces of the exchange creating the Child SA (RFC 7296 §2.17).</summary>
    internal bool TryDeriveChildKeys(SelectedProposal selected, byte[] dhSecret, byte[] ni, byte[] nr, out ChildKeys? keys, out string? reason)
    {
        keys = null;
        reason = null;
        var encKeySize = EspKeySize(selected.Encryption, selected.EncryptionKeyLength);
        if (encKeySize < 0)
        {
            reason = $"ESP encryption {selected.Encryption} with {selected.EncryptionKeyLength}-bit key is not supported";
            return false;
        }
        var integKeySize = 0;
        if (selected.Integrity != IntegrityAlgorithm.None)
        {
            if (!CryptoRegistry.TryCreateIntegrity(selected.Integrity, out var integ))
            {
                reason = $"ESP integrity {selected.Integrity} is not supported";
                return false;
            }
            integKeySize = integ.KeySize;
        }
        keys = KeyDerivation.DeriveChildKeys(Prf!, Keys!.SkD, dhSecret, ni, nr, encKeySize, integKeySize);
        return true;
    }

    /// <summary>ESP key material per algorithm (RFC 4106 §8.1, RFC 4543, RFC 7634 §2): key plus salt where there is one.</summary>
    internal static int EspKeySize(EncryptionAlgorithm alg, int keyBits) => alg switch
    {
        EncryptionAlgorithm.NullAuthAesGmac when keyBits is 128 or 192 or 256 => keyBits / 8 + 4,
        EncryptionAlgorithm.Null => 0,
        _ => CryptoRegistry.TryCreateCipher(alg, keyBits, out var c) ? c.KeySize : -1,
    };

    internal uint AllocateChildSpi()
    {
        // SPIs 1-255 are reserved by IANA for future use (RFC 4303 §2.1).
        uint spi;
        do spi = BinaryPrimitives.ReadUInt32BigEndian(RandomNumberGenerator.GetBytes(4));
        while (spi < 256);
        return spi;
    }

    internal void AddChildSa(ChildSa child)
    {
        _children.Add(child);
        if (Config is not null) child.RekeyAt = RekeyTime(Config.ChildRekeyTime);
        if (State == IkeSaState.Established) _currentOutput!.Raise(new ChildSaEstablished(this, child));
    }

    internal void RemoveChildSa(ChildSa child, bool byPeer)
    {
        if (_children.Remove(child)) _currentOutput?.Raise(new ChildSaDeleted(this, child, byPeer));
    }

    internal void ReportChildFailure(NotifyType notify, string reason) =>
        _currentOutput!.Raise(new ChildSaFailed(this, notify, reason));

    internal static ulong NewIkeSpi()
    {
        ulong spi;
        do spi = BinaryPrimitives.ReadUInt64BigEndian(RandomNumberGenerator.GetBytes(8));
        while (spi == 0);
        return spi;
    }

    // ---------------------------------------------------------------- rekeying (RFC 7296 §1.3.2, §1.3.3, §2.8, §2.18)

    private IkeSa? _rekeyedInto;
    private IkeSa? _successor;

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

    /// <summary>Rekey early (as strongSwan's rand_time does) so both ends rarely rekey at once (RFC 7296 §2.8.1).</summary>
    private DateTimeOffset RekeyTime(TimeSpan rekeyTime) => rekeyTime <= TimeSpan.Zero
        ? DateTimeOffset.MaxValue
        : Now + rekeyTime - TimeSpan.FromTicks((long)(rekeyTime.Ticks * 0.05 * Random.Shared.NextDouble()));

    internal bool IsRekeyingIke => _outstanding?.Tasks.Any(t => t is IkeRekey) == true;

    /// <summary>Retry after 10-30 s, randomised so that two peers that collided do not collide again.</summary>
    internal DateTimeOffset RetryTime() => Now + TimeSpan.FromSeconds(10 + 20 * Random.Shared.NextDouble());

    internal void ScheduleIkeRekeyRetry(string reason)
    {
        IkeRekeyAt = RetryTime();
        _currentOutput!.Raise(new RekeyFailed(this, reason));
    }

    internal void CompleteChildRekey(ChildSa old, ChildSa replacement)
    {
        old.Rekeyed = true;
        RekeyCount++;
        LastRekeyAt = Now;
        AddChildSa(replacement);
        _currentOutput!.Raise(new ChildSaRekeyed(this, old, replacement));
        // The initiator of the rekey deletes the old SA (RFC 7296 §1.3.3); the responder waits for that Delete.
        if (replacement.IsInitiator) _queued.Enqueue([new ChildDelete(this, old)]);
    }

    /// <summary>
    /// Derives the new IKE SA's keys from this one's SK_d and hands it the Child SAs (RFC 7296 §2.18):
    /// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old SA's PRF, then prf+ of the new one.
    /// The side that initiated the rekey is the original initiator of the new SA.
    /// </summary>
    internal bool RekeyInto(SelectedProposal selected, ulong spiI, ulong spiR, byte[] ni, byte[] nr, byte[] sharedSecret,
        bool initiatedByUs, out string? reason)
    {
        if (!TryCreateTransforms(selected, out var prf, out var cipher, out var integrity, out reason)) return false;
        var skeyseed = KeyDerivation.ComputeRekeySkeyseed(Prf!, Keys!.SkD, sharedSecret, ni, nr);
        var keys = KeyDerivation.DeriveIkeKeys(prf, skeyseed, ni, nr, spiI, spiR, cipher.KeySize, integrity?.KeySize ?? 0);
        CryptographicOperations.ZeroMemory(skeyseed);

        var next = new IkeSa(initiatedByUs, Config, Candidates, LocalEndpoint, RemoteEndpoint, spiI, spiR, _time, _options)
        {
            NatLocal = NatLocal,
            NatRemote = NatRemote,
            PeerIdentity = PeerIdentity,
            Ni = ni,
            Nr = nr,
            Keys = keys,
            Prf = prf,
            IkeProposal = selected,
            State = IkeSaState.Established,
            EstablishedAt = Now,
            RekeyCount = RekeyCount + 1,
            LastRekeyAt = Now,
        };
        next._protector = new EncryptedPayloadProtector(cipher, integrity, keys, initiatedByUs);
        next.IkeRekeyAt = next.RekeyTime(Config!.IkeRekeyTime);
        next._children.AddRange(_children.Where(c => !c.Rekeyed));
        _children.Clear();
        _rekeyedInto = next;
        _successor = next;
        _currentOutput!.Raise(new IkeSaRekeyed(this, next));
        if (initiatedByUs) _queued.Enqueue([new IkeDelete(this)]);
        return true;
    }

    public override string ToString() => $"{Config?.Name ?? "?"}[{SpiI:x16}_i {SpiR:x16}_r]";
}
