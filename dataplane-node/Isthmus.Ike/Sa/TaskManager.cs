using System.Net;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa.Tasks;

namespace Isthmus.Ike.Sa;

/// <summary>
/// The message layer of one IKE SA (RFC 7296 §2.1-§2.3; strongSwan's task_manager_v2), apart from
/// the SA's state and keys: message IDs with a window of one, the request in flight and its
/// retransmission with exponential backoff on the injected clock, the cached response that answers
/// a retransmitted request without processing it again, the exchanges this end has queued, and the
/// table of tasks that answer each exchange the peer starts. Every protected message, request or
/// response, is opened on one path. Before IKE_AUTH completes only IKE_SA_INIT and IKE_AUTH
/// requests are admitted, so an unauthenticated peer reaches no other task. Each call writes to
/// the <see cref="IkeOutput"/> it is given, and to nothing else.
/// </summary>
internal sealed class TaskManager
{
    private readonly IkeSa _sa;
    private readonly TimeProvider _time;
    private readonly IkeSaOptions _options;
    private readonly ICryptoFactory _crypto;
    private readonly IRandomSource _random;
    private readonly Queue<List<IIkeTask>> _queued = new();
    private Request? _outstanding;
    private CachedResponse? _lastResponse;

    /// <summary>Our request in flight: its tasks, its bytes for retransmission, and when to send it next.</summary>
    private sealed class Request(uint id, ExchangeType exchange, List<IIkeTask> tasks)
    {
        public uint Id { get; } = id;
        public ExchangeType Exchange { get; } = exchange;
        public List<IIkeTask> Tasks { get; } = tasks;
        public byte[] Bytes { get; set; } = [];
        public int Tries { get; set; }
        public DateTimeOffset NextAt { get; set; }
    }

    /// <summary>Our last response, sent again to a retransmission of the request it answered (RFC 7296 §2.1).</summary>
    private sealed record CachedResponse(uint Id, ExchangeType Exchange, byte[] RequestHash, byte[] Bytes);

    private enum Opened { Payloads, Dropped, Malformed }

    public TaskManager(IkeSa sa, TimeProvider time, IkeSaOptions options, ICryptoFactory crypto, IRandomSource random)
    {
        _sa = sa;
        _time = time;
        _options = options;
        _crypto = crypto;
        _random = random;
    }

    /// <summary>The message ID of our next request (RFC 7296 §2.2).</summary>
    public uint NextRequestId { get; private set; }

    /// <summary>The message ID the peer's next request must carry: with a window of one, the only new one accepted (§2.3).</summary>
    public uint PeerNextRequestId { get; private set; }

    /// <summary>Messages dropped without an answer (bad ICV, wrong message ID, not allowed in this state).</summary>
    public long DroppedMessages { get; private set; }

    /// <summary>No request of ours is in flight.</summary>
    public bool IsIdle => _outstanding is null;

    public bool HasQueued => _queued.Count > 0;

    /// <summary>The tasks of our request in flight.</summary>
    public IReadOnlyList<IIkeTask> ActiveTasks => _outstanding?.Tasks ?? [];

    /// <summary>When the request in flight is sent again, or given up.</summary>
    public DateTimeOffset? RetransmitAt => _outstanding?.NextAt;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Queues one exchange of ours: the tasks that build its request and process its response, in order.</summary>
    public void Queue(List<IIkeTask> tasks) => _queued.Enqueue(tasks);

    // The exchanges this end starts, each with its tasks in order (RFC 7296 §1.2-§1.4).

    /// <summary>IKE_SA_INIT (IkeInit, IkeNatDetection), then IKE_AUTH (IkeAuth, ChildCreate for the first Child SA).</summary>
    public void QueueIkeSaInitAndAuth()
    {
        Queue([new IkeInit(_sa, initiator: true, _crypto, _random), new IkeNatDetection(_sa, initiator: true, _random)]);
        Queue([new IkeAuth(_sa, initiator: true, _crypto), new ChildCreate(_sa, initiator: true, ExchangeType.IkeAuth, _crypto, _random)]);
    }

    /// <summary>CREATE_CHILD_SA rekeying the IKE SA.</summary>
    public void QueueIkeRekey() => Queue([new IkeRekey(_sa, initiator: true, _crypto, _random)]);

    /// <summary>CREATE_CHILD_SA rekeying <paramref name="child"/>.</summary>
    public void QueueChildRekey(ChildSa child) => Queue([new ChildRekey(_sa, initiator: true, _crypto, _random, child)]);

    /// <summary>INFORMATIONAL deleting <paramref name="child"/>.</summary>
    public void QueueChildDelete(ChildSa child) => Queue([new ChildDelete(_sa, initiator: true, child)]);

    /// <summary>INFORMATIONAL deleting the IKE SA.</summary>
    public void QueueIkeDelete() => Queue([new IkeDelete(_sa, initiator: true)]);

    /// <summary>An empty INFORMATIONAL: dead peer detection.</summary>
    public void QueueDpd() => Queue([new IkeDpd(_sa, initiator: true)]);

    public void ClearQueue() => _queued.Clear();

    /// <summary>Forgets the request in flight and every queued exchange (the SA closed).</summary>
    public void Flush()
    {
        _outstanding = null;
        _queued.Clear();
    }

    /// <summary>Sends the next queued exchange's request, unless one is in flight (window of one, RFC 7296 §2.3).</summary>
    public void Initiate(IkeOutput output)
    {
        if (_outstanding is not null || _sa.State == IkeSaState.Closed || !_queued.TryDequeue(out var tasks)) return;
        var request = new Request(NextRequestId, tasks[0].Exchange, tasks);
        _outstanding = request;
        SendRequest(request, output);
    }

    /// <summary>
    /// Sends the request in flight again when its time has come, each wait longer by
    /// <see cref="IkeSaOptions.RetransmitBase"/>; after <see cref="IkeSaOptions.RetransmitTries"/>
    /// retransmissions the peer is unreachable and the SA closes. True when it was due.
    /// </summary>
    public bool RetransmitIfDue(IkeOutput output)
    {
        var now = Now;
        if (_outstanding is not { } request || now < request.NextAt) return false;
        if (request.Tries >= _options.RetransmitTries)
        {
            _sa.Close(output, IkeSaCloseReason.PeerUnreachable, null,
                $"no response to {request.Exchange} request {request.Id} after {request.Tries + 1} transmissions");
            return true;
        }
        request.Tries++;
        request.NextAt = now + RetransmitDelay(request.Tries);
        output.Send(new OutgoingDatagram(request.Bytes, _sa.LocalEndpoint, _sa.RemoteEndpoint));
        return true;
    }

    /// <summary>Handles a message for this SA: <paramref name="datagram"/> its exact bytes, <paramref name="message"/> its outer decoding.</summary>
    public void ProcessMessage(ReadOnlySpan<byte> datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        if (_sa.State == IkeSaState.Closed)
        {
            Drop(remote, "IKE SA is closed", output);
            return;
        }
        // RFC 7296 §3.1: the Initiator flag names the original initiator of the IKE SA.
        if (message.Header.IsFromInitiator == _sa.IsInitiator)
        {
            Drop(remote, "Initiator flag does not match the SA's roles", output);
            return;
        }
        if (message.Header.IsResponse) HandleResponse(datagram.ToArray(), message, remote, output);
        else HandleRequest(datagram.ToArray(), message, local, remote, output);
    }

    // ---------------------------------------------------------------- requests of the peer (we respond)

    private void HandleRequest(byte[] datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var h = message.Header;
        if (_lastResponse is { } cached && h.MessageId == cached.Id && h.Exchange == cached.Exchange)
        {
            // RFC 7296 §2.1: a retransmitted request gets the same response, without new processing.
            if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(datagram), cached.RequestHash))
                output.Send(new OutgoingDatagram(cached.Bytes, local, remote));
            else Drop(remote, $"message ID {h.MessageId} reused for a different request", output);
            return;
        }
        if (h.MessageId != PeerNextRequestId)
        {
            Drop(remote, $"request with message ID {h.MessageId}, expected {PeerNextRequestId}", output);
            return;
        }
        if (!IsAllowed(h.Exchange))
        {
            // Before IKE_AUTH completes only IKE_AUTH is allowed: anything else is an authentication bypass attempt.
            Drop(remote, $"{h.Exchange} request not allowed in state {_sa.State}", output);
            return;
        }

        switch (Open(datagram, message, remote, output, out var request, out var error))
        {
            case Opened.Dropped:
                return;
            case Opened.Malformed:
                _sa.LastInbound = Now;
                RespondWithError(datagram, h, new NotifyPayload(error.Notify, error.NotifyData), local, remote, output);
                if (h.Exchange == ExchangeType.IkeAuth) _sa.Close(output, IkeSaCloseReason.Failed, error.Notify, error.Reason);
                return;
        }
        _sa.LastInbound = Now;

        if (MessageRules.Check(h.Exchange, request.Payloads) is { } violation)
        {
            RespondWithError(datagram, h, new NotifyPayload(NotifyType.InvalidSyntax), local, remote, output);
            if (h.Exchange is ExchangeType.IkeSaInit or ExchangeType.IkeAuth)
                _sa.Close(output, IkeSaCloseReason.Failed, NotifyType.InvalidSyntax, violation);
            return;
        }
        if (h.Exchange == ExchangeType.CreateChildSa && (_sa.State == IkeSaState.Deleting || _sa.IsRekeyed))
        {
            // RFC 7296 §2.25: no new SAs on an IKE SA that is going away.
            RespondWithError(datagram, h, new NotifyPayload(NotifyType.TemporaryFailure), local, remote, output);
            return;
        }

        var building = new List<IIkeTask>();
        foreach (var task in ResponderTasks(request))
        {
            var status = task.Process(request, output);
            if (status == Tasks.TaskStatus.NeedMore) building.Add(task);
            if (status != Tasks.TaskStatus.Failed) continue;
            RespondWithError(datagram, h, task.ErrorNotify!, local, remote, output);
            if (h.Exchange == ExchangeType.CreateChildSa)
            {
                // A refused CREATE_CHILD_SA changes nothing; the IKE SA stays (RFC 7296 §1.3).
                output.Raise(new ChildSaFailed(_sa, task.ErrorNotify!.NotifyType, task.FailureReason ?? "request refused"));
                return;
            }
            // IKE_SA_INIT errors keep no state (RFC 7296 §2.6); an IKE_AUTH failure ends the SA.
            _sa.Close(output, IkeSaCloseReason.Failed, task.ErrorNotify!.NotifyType, task.FailureReason ?? "request refused");
            return;
        }

        var response = new List<Payload>();
        foreach (var task in building) task.Build(response, output);
        var header = ResponseHeader(h);
        byte[] bytes;
        if (h.Exchange == ExchangeType.IkeSaInit)
        {
            bytes = new IkeMessage(header, response).Encode();
            _sa.InitRequest = datagram;
            _sa.InitResponse = bytes;
        }
        else
        {
            bytes = _sa.Keymat!.Protector.Protect(header, response);
        }
        CacheAndSend(datagram, h, bytes, local, remote, output);
        _sa.Responded(h.Exchange, local, remote, output);
    }

    /// <summary>Which requests the SA's state admits (RFC 7296 §1.2: only the original initiator sends IKE_SA_INIT and IKE_AUTH).</summary>
    private bool IsAllowed(ExchangeType exchange) => (_sa.State, exchange) switch
    {
        (IkeSaState.Created, ExchangeType.IkeSaInit) => !_sa.IsInitiator,
        (IkeSaState.Connecting, ExchangeType.IkeAuth) => !_sa.IsInitiator,
        (IkeSaState.Established or IkeSaState.Deleting, ExchangeType.Informational or ExchangeType.CreateChildSa) => true,
        _ => false,
    };

    /// <summary>
    /// The tasks that answer a request, by exchange and content (RFC 7296 §1.2-§1.4):
    /// <code>
    /// IKE_SA_INIT       IkeInit, IkeNatDetection
    /// IKE_AUTH          IkeAuth, ChildCreate
    /// CREATE_CHILD_SA   IkeRekey (SA of protocol IKE), ChildRekey (N(REKEY_SA)), else ChildCreate
    /// INFORMATIONAL     ChildDelete (D of ESP), IkeDelete (D of IKE), else IkeDpd (empty: liveness)
    /// </code>
    /// </summary>
    private List<IIkeTask> ResponderTasks(IkeMessage request)
    {
        switch (request.Header.Exchange)
        {
            case ExchangeType.IkeSaInit:
                return [new IkeInit(_sa, initiator: false, _crypto, _random), new IkeNatDetection(_sa, initiator: false, _random)];
            case ExchangeType.IkeAuth:
                return [new IkeAuth(_sa, initiator: false, _crypto), new ChildCreate(_sa, initiator: false, ExchangeType.IkeAuth, _crypto, _random)];
            case ExchangeType.CreateChildSa:
                var proposals = request.Get<SaPayload>()?.Proposals ?? [];
                if (proposals.Any(p => p.Protocol == ProtocolId.Ike) && !proposals.Any(p => p.Protocol == ProtocolId.Esp))
                    return [new IkeRekey(_sa, initiator: false, _crypto, _random)];
                if (request.GetNotify(NotifyType.RekeySa) is not null)
                    return [new ChildRekey(_sa, initiator: false, _crypto, _random)];
                return [new ChildCreate(_sa, initiator: false, ExchangeType.CreateChildSa, _crypto, _random)];
            default:
                var deletes = request.GetAll<DeletePayload>().ToList();
                var tasks = new List<IIkeTask>();
                if (deletes.Any(d => d.Protocol != ProtocolId.Ike)) tasks.Add(new ChildDelete(_sa, initiator: false));
                if (deletes.Any(d => d.Protocol == ProtocolId.Ike)) tasks.Add(new IkeDelete(_sa, initiator: false));
                if (tasks.Count == 0) tasks.Add(new IkeDpd(_sa, initiator: false));
                return tasks;
        }
    }

    private void RespondWithError(byte[] request, IkeHeader h, NotifyPayload notify, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var header = ResponseHeader(h);
        var bytes = h.Exchange == ExchangeType.IkeSaInit || _sa.Keymat is null
            // RFC 7296 §2.6: IKE_SA_INIT error responses carry a zero responder SPI... except a state-keeping one; we keep none.
            ? new IkeMessage(header with { ResponderSpi = 0 }, [notify]).Encode()
            : _sa.Keymat.Protector.Protect(header, [notify]);
        CacheAndSend(request, h, bytes, local, remote, output);
    }

    private void CacheAndSend(byte[] request, IkeHeader h, byte[] response, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        _lastResponse = new CachedResponse(h.MessageId, h.Exchange, SHA256.HashData(request), response);
        PeerNextRequestId = h.MessageId + 1;
        output.Send(new OutgoingDatagram(response, local, remote));
    }

    private IkeHeader ResponseHeader(IkeHeader request) => new(_sa.SpiI, _sa.SpiR, PayloadType.NoNextPayload, request.Exchange,
        IkeHeaderFlags.Response | (_sa.IsInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None), request.MessageId, 0);

    // ---------------------------------------------------------------- responses of the peer (to our requests)

    private void HandleResponse(byte[] datagram, IkeMessage message, IPEndPoint remote, IkeOutput output)
    {
        var h = message.Header;
        var request = _outstanding;
        if (request is null || h.MessageId != request.Id || h.Exchange != request.Exchange)
        {
            Drop(remote, $"unexpected response with message ID {h.MessageId}", output);
            return;
        }
        switch (Open(datagram, message, remote, output, out var response, out var error))
        {
            case Opened.Dropped:
                return;
            case Opened.Malformed:
                _sa.Close(output, IkeSaCloseReason.Failed, error.Notify, $"malformed {h.Exchange} response: {error.Reason}");
                return;
        }
        if (MessageRules.Check(h.Exchange, response.Payloads) is { } violation)
        {
            Drop(remote, violation, output);
            return;
        }
        _sa.LastInbound = Now;
        if (request.Tasks.OfType<IkeInit>().FirstOrDefault()?.IsRepeatedCookie(response) == true)
        {
            Drop(remote, "repeated COOKIE response (answer to a retransmission)", output);
            return;
        }

        var needMore = false;
        foreach (var task in request.Tasks)
        {
            var status = task.Process(response, output);
            if (status == Tasks.TaskStatus.Failed)
            {
                _sa.Close(output, IkeSaCloseReason.Failed, task.ErrorNotify?.NotifyType, task.FailureReason ?? "exchange failed");
                return;
            }
            needMore |= status == Tasks.TaskStatus.NeedMore;
        }
        if (needMore && h.Exchange == ExchangeType.IkeSaInit)
        {
            // COOKIE or INVALID_KE_PAYLOAD: the same exchange again, still message ID 0 (RFC 7296 §2.6, §1.2).
            // No other exchange of ours takes a second round (EAP in IKE_AUTH would).
            SendRequest(request, output);
            return;
        }

        _outstanding = null;
        NextRequestId++;
        if (h.Exchange == ExchangeType.IkeSaInit) _sa.InitResponse = datagram;
        if (_sa.State != IkeSaState.Closed) _sa.Completed(h.Exchange, output);
        Initiate(output);
    }

    private void SendRequest(Request request, IkeOutput output)
    {
        var payloads = new List<Payload>();
        foreach (var task in request.Tasks.ToList())
        {
            var status = task.Build(payloads, output);
            // A task done with building has nothing to process in the response.
            if (status == Tasks.TaskStatus.Done) request.Tasks.Remove(task);
            if (status != Tasks.TaskStatus.Failed) continue;
            _sa.Close(output, IkeSaCloseReason.Failed, task.ErrorNotify?.NotifyType, task.FailureReason ?? "cannot build request");
            return;
        }
        var init = request.Exchange == ExchangeType.IkeSaInit;
        var header = new IkeHeader(_sa.SpiI, init ? 0 : _sa.SpiR, PayloadType.NoNextPayload, request.Exchange,
            _sa.IsInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None, request.Id, 0);
        request.Bytes = init ? new IkeMessage(header, payloads).Encode() : _sa.Keymat!.Protector.Protect(header, payloads);
        if (init) _sa.InitRequest = request.Bytes;
        request.Tries = 0;
        request.NextAt = Now + RetransmitDelay(0);
        output.Send(new OutgoingDatagram(request.Bytes, _sa.LocalEndpoint, _sa.RemoteEndpoint));
    }

    private TimeSpan RetransmitDelay(int tries) =>
        TimeSpan.FromTicks((long)(_options.RetransmitTimeout.Ticks * Math.Pow(_options.RetransmitBase, tries)));

    // ---------------------------------------------------------------- one path to a message's payloads

    /// <summary>
    /// The payloads of a message: the clear ones of IKE_SA_INIT, otherwise those inside its SK
    /// payload, verified and decrypted with the SA's keys and parsed (RFC 7296 §3.14). A message that
    /// does not verify is dropped without an answer (§2.21.2); one that verifies but does not parse
    /// is <see cref="Opened.Malformed"/>, with the error whose notify answers a request (§2.21.1).
    /// </summary>
    private Opened Open(byte[] datagram, IkeMessage message, IPEndPoint remote, IkeOutput output, out IkeMessage opened, out ParseError error)
    {
        opened = message;
        error = default;
        if (message.Header.Exchange == ExchangeType.IkeSaInit) return Opened.Payloads;
        if (_sa.Keymat is not { } keymat)
        {
            Drop(remote, "encrypted message before keys exist", output);
            return Opened.Dropped;
        }
        if (message.Payloads.Count != 1 || message.Payloads[0] is not EncryptedPayload sk)
        {
            Drop(remote, $"{message.Header.Exchange} message must carry exactly one SK payload", output);
            return Opened.Dropped;
        }
        var inner = keymat.Protector.Unprotect(datagram, sk, out var failure);
        if (inner is null)
        {
            Drop(remote, failure ?? "SK payload did not verify", output);
            return Opened.Dropped;
        }
        if (!PayloadChain.TryRead(inner, sk.InnerFirst, out var payloads, out error, insideEncrypted: true)) return Opened.Malformed;
        opened = message with { Payloads = payloads };
        return Opened.Payloads;
    }

    private void Drop(IPEndPoint from, string reason, IkeOutput output)
    {
        DroppedMessages++;
        output.Raise(new MessageDropped(_sa, from, reason));
    }
}
