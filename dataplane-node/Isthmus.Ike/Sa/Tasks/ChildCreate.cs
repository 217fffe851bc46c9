using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Creates a Child SA, in either role (RFC 7296 §1.3.1, §2.9, §2.17): the first one inside IKE_AUTH,
/// or another with CREATE_CHILD_SA. <see cref="ChildRekey"/> composes it for the replacement of a
/// rekeyed Child SA, whose name and selectors it keeps.
/// <code>
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr}     --&gt;  &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// HDR, SK {SA, Ni, [KEi,] TSi, TSr}       --&gt;  &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
/// </code>
/// In IKE_AUTH there is no KE: KEYMAT = prf+(SK_d, Ni | Nr) with the IKE SA's nonces, and a
/// key-exchange transform in the ESP proposal is ignored (§1.2). With CREATE_CHILD_SA a key-exchange
/// group in the proposal gives the Child SA fresh Diffie-Hellman keys (PFS), and KEYMAT =
/// prf+(SK_d, g^ir (new) | Ni | Nr) with this exchange's nonces. The responder narrows the traffic
/// selectors to its policy; the initiator checks the answer is a subset of what it proposed. A
/// refused Child SA leaves the IKE SA up: inside IKE_AUTH the response carries the error notify
/// (NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE...) in place of SA and TS; a CREATE_CHILD_SA response is
/// that notify alone, and nothing is installed. Key pairs come from the injected
/// <see cref="ICryptoFactory"/>, SPIs and nonces from the injected <see cref="IRandomSource"/>.
/// </summary>
public sealed class ChildCreate : IkeTaskBase
{
    private readonly ExchangeType _exchange;
    private readonly ICryptoFactory _crypto;
    private readonly IRandomSource _random;
    private readonly ChildSa? _rekeyed;
    private uint _spiIn;
    private byte[]? _ni, _nr;
    private IKeyExchange? _ke;
    private byte[]? _kePublic;
    private DhGroup _group;
    private SelectedProposal? _selected;
    private IReadOnlyList<TrafficSelector>? _tsi, _tsr;
    private NotifyPayload? _childError;

    /// <summary>A Child SA of the tunnel's policy, inside <paramref name="exchange"/> (IKE_AUTH or CREATE_CHILD_SA).</summary>
    public ChildCreate(IkeSa sa, bool initiator, ExchangeType exchange, ICryptoFactory crypto, IRandomSource random)
        : base(sa, initiator)
    {
        _exchange = exchange;
        _crypto = crypto;
        _random = random;
    }

    /// <summary>The replacement of <paramref name="rekeyed"/>, for <see cref="ChildRekey"/>, which installs it.</summary>
    internal ChildCreate(IkeSa sa, bool initiator, ICryptoFactory crypto, IRandomSource random, ChildSa rekeyed)
        : this(sa, initiator, ExchangeType.CreateChildSa, crypto, random)
    {
        _rekeyed = rekeyed;
    }

    public override ExchangeType Exchange => _exchange;

    /// <summary>The negotiated Child SA once <see cref="Process"/> succeeded; installed by this task unless a rekey composes it.</summary>
    internal ChildSa? Child { get; private set; }

    /// <summary>As initiator: why the Child SA was not created (refused by the peer, or its answer unacceptable).</summary>
    internal (NotifyType Notify, string Reason)? Refusal { get; private set; }

    private bool InIkeAuth => _exchange == ExchangeType.IkeAuth;
    private string Name => _rekeyed?.Name ?? Sa.Config!.ChildName;
    private IReadOnlyList<TrafficSelector> LocalPolicy => _rekeyed?.LocalTs ?? Sa.Config!.LocalTs;
    private IReadOnlyList<TrafficSelector> RemotePolicy => _rekeyed?.RemoteTs ?? Sa.Config!.RemoteTs;

    public override TaskStatus Build(List<Payload> message, IkeOutput output) =>
        IsInitiator ? BuildRequest(message) : BuildResponse(message);

    public override TaskStatus Process(IkeMessage message, IkeOutput output) =>
        IsInitiator ? ProcessResponse(message, output) : ProcessRequest(message, output);

    /// <summary>Why a CREATE_CHILD_SA request cannot create a Child SA at all: INVALID_SYNTAX (RFC 7296 §1.3.1).</summary>
    internal static string? MissingPayloads(IkeMessage m) =>
        m.Get<SaPayload>() is null || m.Get<NoncePayload>() is null ? "CREATE_CHILD_SA request lacks SA or Nonce"
        : Tsi(m) is null || Tsr(m) is null ? "CREATE_CHILD_SA request lacks TSi or TSr"
        : null;

    // ---------------------------------------------------------------- initiator

    private TaskStatus BuildRequest(List<Payload> message)
    {
        var config = Sa.Config!;
        _spiIn = _random.NewChildSpi();
        if (InIkeAuth)
        {
            // RFC 7296 §1.2: the first Child SA has no KE of its own.
            message.Add(new SaPayload(config.EspProposals.Select((p, i) => p with
            {
                Number = (byte)(i + 1),
                Spi = SpiBytes(_spiIn),
                Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList(),
            }).ToList()));
        }
        else
        {
            _ni = _random.NewNonce();
            _group = _rekeyed is { Proposal.DhGroup: not DhGroup.None } ? _rekeyed.Proposal.DhGroup : ConfiguredPfsGroup(config.EspProposals);
            message.Add(new SaPayload(Offered(config.EspProposals)));
            message.Add(new NoncePayload(_ni));
            if (_group != DhGroup.None)
            {
                if (!_crypto.TryCreateKeyExchange(_group, out _ke))
                    return Fail(NotifyType.NoProposalChosen, $"PFS group {_group} is not supported");
                message.Add(new KePayload(_group, _ke.PublicKey));
            }
        }
        message.Add(new TsPayload(true, LocalPolicy));
        message.Add(new TsPayload(false, RemotePolicy));
        return TaskStatus.NeedMore;
    }

    private TaskStatus ProcessResponse(IkeMessage m, IkeOutput output)
    {
        try
        {
            if (FirstError(m) is { } error)
            {
                // TEMPORARY_FAILURE, NO_PROPOSAL_CHOSEN, TS_UNACCEPTABLE...: nothing is installed (RFC 7296 §1.3, §2.25).
                return NotCreated(error.NotifyType, _rekeyed is null ? $"peer refused the Child SA with {error.NotifyType}"
                    : $"peer refused to rekey Child SA {_rekeyed.SpiIn:x8} with {error.NotifyType}", output);
            }
            var saPayload = m.Get<SaPayload>();
            var nonce = m.Get<NoncePayload>();
            var tsi = Tsi(m);
            var tsr = Tsr(m);
            if (saPayload is null || (nonce is null && !InIkeAuth) || tsi is null || tsr is null || saPayload.Proposals.Count != 1)
                return NotCreated(NotifyType.InvalidSyntax, InIkeAuth ? "IKE_AUTH response lacks SA, TSi or TSr for the Child SA"
                    : "CREATE_CHILD_SA response lacks SA, Nonce, TSi or TSr", output);

            var offered = InIkeAuth
                ? Sa.Config!.EspProposals.Select((p, i) => p with { Number = (byte)(i + 1), Spi = SpiBytes(_spiIn) }).ToList()
                : Offered(Sa.Config!.EspProposals);
            var selected = ProposalSelector.VerifyResponse(_crypto, saPayload.Proposals[0], offered, ProtocolId.Esp, ignoreKeyExchange: InIkeAuth);
            if (selected is null || selected.Spi.Length != 4)
                return NotCreated(NotifyType.NoProposalChosen, "responder chose an ESP proposal we did not offer", output);
            if (InIkeAuth) selected = selected with { DhGroup = DhGroup.None };

            var secret = Array.Empty<byte>();
            if (selected.DhGroup != DhGroup.None)
            {
                var ke = m.Get<KePayload>();
                if (_ke is null || ke is null || ke.Group != selected.DhGroup || !_ke.TryComputeSharedSecret(ke.Data, out secret, out _))
                    return NotCreated(NotifyType.InvalidSyntax, "CREATE_CHILD_SA response has no usable KE for the negotiated PFS group", output);
            }
            if (!TrafficSelectorNarrowing.IsSubsetOf(tsi.Selectors, LocalPolicy) || !TrafficSelectorNarrowing.IsSubsetOf(tsr.Selectors, RemotePolicy))
                return NotCreated(NotifyType.TsUnacceptable, "responder's traffic selectors are not within those we proposed", output);
            var derived = Sa.Keymat!.TryDeriveChildKeys(selected, secret, _ni ?? Sa.Ni!, nonce?.Data ?? Sa.Nr!, out var keys, out var reason);
            CryptographicOperations.ZeroMemory(secret);
            if (!derived) return NotCreated(NotifyType.NoProposalChosen, reason!, output);

            Child = new ChildSa(Name, _spiIn, BinaryPrimitives.ReadUInt32BigEndian(selected.Spi), selected, tsi.Selectors, tsr.Selectors,
                keys!, isInitiator: true, Sa.UseNatT, Sa.Now);
            if (_rekeyed is null) Sa.AddChildSa(Child, output);
            return TaskStatus.Done;
        }
        finally
        {
            _ke?.Dispose();
        }
    }

    /// <summary>The Child SA was not created; the IKE SA stays. A rekey reports that itself, with its retry.</summary>
    private TaskStatus NotCreated(NotifyType notify, string reason, IkeOutput output)
    {
        Refusal = (notify, reason);
        if (_rekeyed is null) Sa.ReportChildFailure(notify, reason, output);
        return TaskStatus.Done;
    }

    /// <summary>The configured ESP proposals with our SPI; with PFS the group we send a KE for comes first, without it no KE transform.</summary>
    private List<Proposal> Offered(IReadOnlyList<Proposal> proposals) => proposals.Select((p, i) => p with
    {
        Number = (byte)(i + 1),
        Spi = SpiBytes(_spiIn),
        Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange || _group != DhGroup.None)
            .OrderBy(t => t.Type == TransformType.KeyExchange && t.Id != (ushort)_group ? 1 : 0).ToList(),
    }).ToList();

    internal static DhGroup ConfiguredPfsGroup(IReadOnlyList<Proposal> proposals) =>
        proposals.SelectMany(p => p.Transforms).Where(t => t.Type == TransformType.KeyExchange && t.Id != 0)
            .Select(t => (DhGroup)t.Id).FirstOrDefault();

    // ---------------------------------------------------------------- responder

    private TaskStatus ProcessRequest(IkeMessage m, IkeOutput output)
    {
        var saPayload = m.Get<SaPayload>();
        var tsi = Tsi(m);
        var tsr = Tsr(m);
        if (InIkeAuth)
        {
            if (saPayload is null && tsi is null && tsr is null) return TaskStatus.Done; // no Child SA was requested
            if (saPayload is null || tsi is null || tsr is null)
                return RefuseInAuth(NotifyType.InvalidSyntax, "Child SA request lacks SA, TSi or TSr", output);
        }
        else if (MissingPayloads(m) is { } missing)
        {
            return Fail(NotifyType.InvalidSyntax, missing);
        }

        var selected = ProposalSelector.Select(_crypto, saPayload!.Proposals, Sa.Config!.EspProposals, ProtocolId.Esp, ignoreKeyExchange: InIkeAuth);
        if (selected is null) return Refuse(NotifyType.NoProposalChosen, "no acceptable ESP proposal", output);
        var secret = Array.Empty<byte>();
        try
        {
            if (!InIkeAuth && selected.DhGroup != DhGroup.None)
            {
                var ke = m.Get<KePayload>();
                if (ke is null || ke.Group != selected.DhGroup)
                    return Fail(NotifyType.InvalidKePayload, $"PFS needs a KE for {selected.DhGroup}", GroupData(selected.DhGroup));
                if (!_crypto.TryCreateKeyExchange(selected.DhGroup, out _ke))
                    return Fail(NotifyType.NoProposalChosen, $"PFS group {selected.DhGroup} is not supported");
                if (!_ke.TryComputeSharedSecret(ke.Data, out secret, out var keError))
                    return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");
                _kePublic = _ke.PublicKey;
            }

            // TSi describes the initiator's side: our remote; TSr our local.
            var narrowedI = TrafficSelectorNarrowing.Narrow(tsi!.Selectors, RemotePolicy);
            var narrowedR = TrafficSelectorNarrowing.Narrow(tsr!.Selectors, LocalPolicy);
            if (narrowedI.Count == 0 || narrowedR.Count == 0)
                return Refuse(NotifyType.TsUnacceptable, "proposed traffic selectors are outside the tunnel's policy", output);

            ChildKeys? keys;
            string? reason;
            if (InIkeAuth)
            {
                selected = selected with { DhGroup = DhGroup.None };
                _spiIn = _random.NewChildSpi();
                if (!Sa.Keymat!.TryDeriveChildKeys(selected, secret, Sa.Ni!, Sa.Nr!, out keys, out reason))
                    return Refuse(NotifyType.NoProposalChosen, reason, output);
            }
            else
            {
                _ni = m.Get<NoncePayload>()!.Data;
                _nr = _random.NewNonce();
                if (!Sa.Keymat!.TryDeriveChildKeys(selected, secret, _ni, _nr, out keys, out reason))
                    return Fail(NotifyType.NoProposalChosen, reason);
                _spiIn = _random.NewChildSpi();
            }
            _selected = selected;
            _tsi = narrowedI;
            _tsr = narrowedR;
            Child = new ChildSa(Name, _spiIn, BinaryPrimitives.ReadUInt32BigEndian(selected.Spi), selected, narrowedR, narrowedI, keys,
                isInitiator: false, Sa.UseNatT, Sa.Now);
            if (_rekeyed is null) Sa.AddChildSa(Child, output);
            return TaskStatus.NeedMore;
        }
        finally
        {
            _ke?.Dispose();
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>A refused Child SA: inside IKE_AUTH the response goes on with the notify; a CREATE_CHILD_SA response is the notify alone.</summary>
    private TaskStatus Refuse(NotifyType notify, string reason, IkeOutput output) =>
        InIkeAuth ? RefuseInAuth(notify, reason, output) : Fail(notify, reason);

    private TaskStatus RefuseInAuth(NotifyType notify, string reason, IkeOutput output)
    {
        // The IKE SA survives; the response carries the notify instead of SA/TS (RFC 7296 §1.2).
        _childError = new NotifyPayload(notify);
        _selected = null;
        Sa.ReportChildFailure(notify, reason, output);
        return TaskStatus.NeedMore;
    }

    private TaskStatus BuildResponse(List<Payload> message)
    {
        if (_childError is not null)
        {
            message.Add(_childError);
            return TaskStatus.Done;
        }
        if (_selected is null) return TaskStatus.Done;
        message.Add(new SaPayload([_selected.ToProposal(SpiBytes(_spiIn))]));
        if (_nr is not null) message.Add(new NoncePayload(_nr));
        if (_kePublic is not null) message.Add(new KePayload(_selected.DhGroup, _kePublic));
        message.Add(new TsPayload(true, _tsi!));
        message.Add(new TsPayload(false, _tsr!));
        return TaskStatus.Done;
    }

    // ---------------------------------------------------------------- shared

    private static TsPayload? Tsi(IkeMessage m) => m.GetAll<TsPayload>().FirstOrDefault(t => t.IsInitiator);
    private static TsPayload? Tsr(IkeMessage m) => m.GetAll<TsPayload>().FirstOrDefault(t => !t.IsInitiator);

    internal static byte[] SpiBytes(uint spi)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, spi);
        return b;
    }

    internal static byte[] GroupData(DhGroup group)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)group);
        return data;
    }
}
