using System.Net;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// The table of IKE SAs of one daemon: finds the SA a datagram belongs to by the SPI this end
/// chose (RFC 7296 §2.1), creates responder SAs for new IKE_SA_INIT requests, demands COOKIEs
/// when too many SAs are half-open (§2.6), and answers requests it cannot decode with the RFC's
/// error notify (INVALID_SYNTAX, UNSUPPORTED_CRITICAL_PAYLOAD) without keeping any state. No I/O.
/// Every SA it creates gets its clock, its <see cref="ICryptoFactory"/> and its
/// <see cref="IRandomSource"/>: by default <see cref="CryptoRegistry"/> and the operating system's
/// generator (<see cref="SystemRandomSource"/>).
/// </summary>
public sealed class IkeSaManager(IReadOnlyList<TunnelConfig> tunnels, TimeProvider time, IkeSaOptions? options = null,
    ICryptoFactory? crypto = null, IRandomSource? random = null)
{
    private readonly IkeSaOptions _options = options ?? new IkeSaOptions();
    private readonly IRandomSource _random = random ?? SystemRandomSource.Instance;
    private readonly ICryptoFactory _crypto = crypto ?? new CryptoRegistry(random ?? SystemRandomSource.Instance);
    private readonly Dictionary<ulong, IkeSa> _byLocalSpi = [];
    // Responder SAs by the initiator's SPI and address, for their whole life: a retransmitted or
    // replayed IKE_SA_INIT request reaches its SA (cached answer or drop), never a new one (RFC 7296 §2.1).
    private readonly Dictionary<(ulong SpiI, IPEndPoint Remote), IkeSa> _byInitiatorSpi = [];
    private readonly CookieGenerator _cookies = new(time, random ?? SystemRandomSource.Instance);
    private IReadOnlyList<TunnelConfig> _tunnels = tunnels;

    public IReadOnlyCollection<IkeSa> Sas => _byLocalSpi.Values;

    /// <summary>Datagrams dropped before any SA could be found (unparseable, unknown SPI).</summary>
    public long DroppedMessages { get; private set; }

    public IReadOnlyList<TunnelConfig> Tunnels => _tunnels;

    public void UpdateTunnels(IReadOnlyList<TunnelConfig> tunnels) => _tunnels = tunnels;

    public IkeSa Initiate(TunnelConfig config, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var sa = IkeSa.CreateInitiator(config, local, remote, time, _crypto, _random, _options);
        _byLocalSpi[sa.LocalSpi] = sa;
        sa.Initiate(output);
        Sweep(sa);
        return sa;
    }

    public DateTimeOffset? NextTimerAt => _byLocalSpi.Values.Select(s => s.NextTimerAt).Where(t => t is not null).Min();

    public void OnTimer(IkeOutput output)
    {
        var now = time.GetUtcNow();
        foreach (var sa in _byLocalSpi.Values.ToList())
        {
            if (sa.NextTimerAt is { } at && at <= now) sa.OnTimer(output);
            Sweep(sa);
        }
    }

    /// <summary>Handles one IKE datagram (the non-ESP marker already removed) received on <paramref name="local"/> from <paramref name="remote"/>.</summary>
    public void ProcessDatagram(ReadOnlySpan<byte> datagram, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        if (!IkeHeader.TryRead(datagram, out var header, out var headerError))
        {
            Drop(output, remote, $"unparseable IKE header: {headerError.Reason}");
            return;
        }
        var isNewRequest = !header.IsResponse && header.IsFromInitiator && header.ResponderSpi == 0 &&
                           header.Exchange == ExchangeType.IkeSaInit && header.MessageId == 0;
        if (!IkeMessage.TryDecode(datagram, out var message, out var error))
        {
            if (isNewRequest)
                // RFC 7296 §2.21.1: answer a malformed IKE_SA_INIT request with the error, keeping no state.
                SendStatelessError(header, new NotifyPayload(error.Notify, error.NotifyData), local, remote, output);
            Drop(output, remote, $"malformed {header.Exchange} message: {error.Reason}");
            return;
        }

        IkeSa? sa;
        if (isNewRequest)
        {
            if (_byInitiatorSpi.TryGetValue((header.InitiatorSpi, remote), out sa))
            {
                sa.ProcessMessage(datagram, message!, local, remote, output);
                Sweep(sa);
                return;
            }
            sa = CreateResponder(datagram, message!, local, remote, output);
            if (sa is null) return;
        }
        else
        {
            // The "I" flag names the original initiator: if the peer set it, we are the responder and our SPI is SPIr.
            var ourSpi = header.IsFromInitiator ? header.ResponderSpi : header.InitiatorSpi;
            if (!_byLocalSpi.TryGetValue(ourSpi, out sa) ||
                (header.IsFromInitiator ? sa.SpiI != header.InitiatorSpi : sa.SpiR != header.ResponderSpi && sa.State != IkeSaState.Created))
            {
                Drop(output, remote, $"no IKE SA for SPIs {header.InitiatorSpi:x16}/{header.ResponderSpi:x16}");
                return;
            }
        }
        sa.ProcessMessage(datagram, message!, local, remote, output);
        Sweep(sa);
    }

    private IkeSa? CreateResponder(ReadOnlySpan<byte> datagram, IkeMessage message, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var candidates = _tunnels.Where(t =>
            (t.PeerAddress is null || t.PeerAddress.Equals(remote.Address)) &&
            (t.LocalAddress is null || t.LocalAddress.Equals(local.Address))).ToList();
        if (candidates.Count == 0)
        {
            SendStatelessError(message.Header, new NotifyPayload(NotifyType.NoProposalChosen), local, remote, output);
            Drop(output, remote, $"no tunnel is configured for peer {remote.Address}");
            return null;
        }

        var halfOpen = _byLocalSpi.Values.Count(s => !s.IsInitiator && s.State is IkeSaState.Created or IkeSaState.Connecting);
        if (halfOpen >= _options.CookieThreshold)
        {
            var nonce = message.Get<NoncePayload>();
            if (nonce is null)
            {
                SendStatelessError(message.Header, new NotifyPayload(NotifyType.InvalidSyntax), local, remote, output);
                Drop(output, remote, "IKE_SA_INIT without a nonce");
                return null;
            }
            // RFC 7296 §2.6: the cookie, when present, is the first payload.
            var offered = message.Payloads.Count > 0 && message.Payloads[0] is NotifyPayload { NotifyType: NotifyType.Cookie } n ? n.Data : null;
            if (offered is null || !_cookies.Verify(offered, nonce.Data, remote.Address, message.Header.InitiatorSpi))
            {
                SendStatelessError(message.Header,
                    new NotifyPayload(NotifyType.Cookie, _cookies.Create(nonce.Data, remote.Address, message.Header.InitiatorSpi)),
                    local, remote, output);
                return null;
            }
        }

        var sa = IkeSa.CreateResponder(candidates, local, remote, message.Header.InitiatorSpi, time, _crypto, _random, _options);
        _byLocalSpi[sa.LocalSpi] = sa;
        _byInitiatorSpi[(sa.SpiI, remote)] = sa;
        return sa;
    }

    private static void SendStatelessError(IkeHeader request, NotifyPayload notify, IPEndPoint local, IPEndPoint remote, IkeOutput output)
    {
        var header = new IkeHeader(request.InitiatorSpi, 0, PayloadType.NoNextPayload, request.Exchange, IkeHeaderFlags.Response,
            request.MessageId, 0);
        output.Send(new OutgoingDatagram(new IkeMessage(header, [notify]).Encode(), local, remote));
    }

    private void Sweep(IkeSa sa)
    {
        // A rekeyed IKE SA (RFC 7296 §2.18) is found by the SPI this end chose for it, like any other.
        if (sa.TakeSuccessor() is { } next) _byLocalSpi[next.LocalSpi] = next;
        if (sa.State != IkeSaState.Closed) return;
        _byLocalSpi.Remove(sa.LocalSpi);
        foreach (var key in _byInitiatorSpi.Where(kv => kv.Value == sa).Select(kv => kv.Key).ToList()) _byInitiatorSpi.Remove(key);
    }

    private void Drop(IkeOutput output, IPEndPoint from, string reason)
    {
        DroppedMessages++;
        output.Raise(new MessageDropped(null, from, reason));
    }
}
