using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// IKE_SA_INIT (RFC 7296 §1.2): negotiates the IKE SA's transforms, exchanges KE and nonces and
/// derives SKEYSEED and the SK_* keys. Handles COOKIE (§2.6) and INVALID_KE_PAYLOAD (§1.2) in
/// both roles. Key pairs come from the injected <see cref="ICryptoFactory"/>, Ni and Nr from the
/// injected <see cref="IRandomSource"/>.
/// <code>
/// Initiator                         Responder
/// -------------------------------------------------------------------
/// HDR, SAi1, KEi, Ni  --&gt;
///                               &lt;--  HDR, SAr1, KEr, Nr, [CERTREQ]
/// </code>
/// </summary>
public sealed class IkeInit(IkeSa sa, bool initiator, ICryptoFactory crypto, IRandomSource random) : IkeTaskBase(sa, initiator)
{
    private const int MaxInvalidKeRetries = 3;
    private byte[]? _cookie;
    private int _invalidKeRetries;
    private DhGroup _group;
    private SelectedProposal? _selected;

    public override ExchangeType Exchange => ExchangeType.IkeSaInit;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        if (IsInitiator)
        {
            var proposals = Sa.Config!.IkeProposals;
            if (_group == DhGroup.None) _group = FirstGroup(proposals);
            if (Sa.KeyExchange is null || Sa.KeyExchange.Group != _group)
            {
                Sa.KeyExchange?.Dispose();
                if (!crypto.TryCreateKeyExchange(_group, out var ke))
                    return Fail(NotifyType.NoProposalChosen, $"key exchange group {_group} is not supported");
                Sa.KeyExchange = ke;
            }
            Sa.Ni ??= random.NewNonce();
            if (_cookie is not null) message.Add(new NotifyPayload(NotifyType.Cookie, _cookie));
            message.Add(new SaPayload(Renumber(proposals)));
            message.Add(new KePayload(_group, Sa.KeyExchange.PublicKey));
            message.Add(new NoncePayload(Sa.Ni));
            return TaskStatus.NeedMore;
        }

        // Responder: the accepted proposal, our KE and Nr.
        message.Add(new SaPayload([_selected!.ToProposal([])]));
        message.Add(new KePayload(_selected.DhGroup, Sa.KeyExchange!.PublicKey));
        message.Add(new NoncePayload(Sa.Nr!));
        return TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output) =>
        IsInitiator ? ProcessResponse(message) : ProcessRequest(message);

    /// <summary>
    /// A COOKIE response repeating the cookie we already reflected answers a retransmission of our first
    /// request: the caller drops it instead of failing the SA (RFC 7296 §2.6).
    /// </summary>
    internal bool IsRepeatedCookie(IkeMessage m) =>
        _cookie is not null && m.GetNotify(NotifyType.Cookie) is { } c && _cookie.AsSpan().SequenceEqual(c.Data);

    private TaskStatus ProcessRequest(IkeMessage m)
    {
        var saPayload = m.Get<SaPayload>();
        var ke = m.Get<KePayload>();
        var nonce = m.Get<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null)
            return Fail(NotifyType.InvalidSyntax, "IKE_SA_INIT request lacks SA, KE or Nonce");

        // A KE group that was not proposed (or is unknown) can never be the selected one, so it is
        // answered below like any other mismatch: INVALID_KE_PAYLOAD naming our group (RFC 7296 §3.4).
        var candidates = Sa.Candidates;
        SelectedProposal? selected = null;
        foreach (var config in candidates)
        {
            // Prefer a proposal that uses the group the initiator already sent a KE for.
            selected = ProposalSelector.Select(crypto, RestrictGroup(saPayload.Proposals, ke.Group), config.IkeProposals, ProtocolId.Ike)
                ?? ProposalSelector.Select(crypto, saPayload.Proposals, config.IkeProposals, ProtocolId.Ike);
            if (selected is not null) break;
        }
        if (selected is null)
            return Fail(NotifyType.NoProposalChosen, "no acceptable IKE proposal");

        if (selected.DhGroup != ke.Group)
        {
            // RFC 7296 §3.4: "If the selected proposal uses a different Diffie-Hellman group (other
            // than NONE), the message MUST be rejected with a Notify payload of type INVALID_KE_PAYLOAD."
            var data = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)selected.DhGroup);
            return Fail(NotifyType.InvalidKePayload, $"initiator sent KE for {ke.Group}, we require {selected.DhGroup}", data);
        }

        if (!crypto.TryCreateKeyExchange(selected.DhGroup, out var ours))
            return Fail(NotifyType.NoProposalChosen, $"key exchange group {selected.DhGroup} is not supported");
        Sa.KeyExchange = ours;
        if (!ours.TryComputeSharedSecret(ke.Data, out var secret, out var keError))
            return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");

        _selected = selected;
        Sa.Ni = nonce.Data;
        Sa.Nr = random.NewNonce();
        if (!Sa.TryDeriveIkeKeys(selected, secret, out var reason))
            return Fail(NotifyType.NoProposalChosen, reason!);
        CryptographicOperations.ZeroMemory(secret);
        return TaskStatus.NeedMore;
    }

    private TaskStatus ProcessResponse(IkeMessage m)
    {
        if (m.GetNotify(NotifyType.Cookie) is { } cookie)
        {
            // RFC 7296 §2.6: retry with the cookie as the first payload, everything else unchanged.
            if (cookie.Data.Length is < 1 or > 64 || _cookie is not null && _cookie.AsSpan().SequenceEqual(cookie.Data))
                return Fail(NotifyType.InvalidSyntax, "invalid or repeated COOKIE");
            _cookie = cookie.Data;
            return TaskStatus.NeedMore;
        }
        if (m.GetNotify(NotifyType.InvalidKePayload) is { } invalidKe)
        {
            if (invalidKe.Data.Length != 2) return Fail(NotifyType.InvalidSyntax, "INVALID_KE_PAYLOAD without a group");
            var wanted = (DhGroup)BinaryPrimitives.ReadUInt16BigEndian(invalidKe.Data);
            var ours = Sa.Config!.IkeProposals.SelectMany(p => p.Transforms)
                .Any(t => t.Type == TransformType.KeyExchange && t.Id == (ushort)wanted);
            if (!ours || wanted == _group || ++_invalidKeRetries > MaxInvalidKeRetries)
                return Fail(NotifyType.InvalidKePayload, $"peer requires key exchange group {wanted}, which we did not propose");
            _group = wanted;
            return TaskStatus.NeedMore;
        }
        if (FirstError(m) is { } error)
            return Fail(error.NotifyType, $"peer answered IKE_SA_INIT with {error.NotifyType}");

        var saPayload = m.Get<SaPayload>();
        var ke = m.Get<KePayload>();
        var nonce = m.Get<NoncePayload>();
        if (saPayload is null || ke is null || nonce is null || saPayload.Proposals.Count != 1)
            return Fail(NotifyType.InvalidSyntax, "IKE_SA_INIT response lacks SA, KE or Nonce");
        var selected = ProposalSelector.VerifyResponse(crypto, saPayload.Proposals[0], Renumber(Sa.Config!.IkeProposals), ProtocolId.Ike);
        if (selected is null)
            return Fail(NotifyType.NoProposalChosen, "responder chose a proposal we did not offer");
        if (ke.Group != selected.DhGroup || ke.Group != _group)
            return Fail(NotifyType.InvalidSyntax, $"responder's KE group {ke.Group} does not match the negotiated {selected.DhGroup}");
        if (m.Header.ResponderSpi == 0)
            return Fail(NotifyType.InvalidSyntax, "responder SPI is zero");
        if (!Sa.KeyExchange!.TryComputeSharedSecret(ke.Data, out var secret, out var keError))
            return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");

        Sa.SpiR = m.Header.ResponderSpi;
        Sa.Nr = nonce.Data;
        if (!Sa.TryDeriveIkeKeys(selected, secret, out var reason))
            return Fail(NotifyType.NoProposalChosen, reason!);
        CryptographicOperations.ZeroMemory(secret);
        return TaskStatus.Done;
    }

    private static DhGroup FirstGroup(IReadOnlyList<Proposal> proposals) =>
        proposals.SelectMany(p => p.Transforms).Where(t => t.Type == TransformType.KeyExchange)
            .Select(t => (DhGroup)t.Id).FirstOrDefault();

    internal static IReadOnlyList<Proposal> Renumber(IReadOnlyList<Proposal> proposals) =>
        proposals.Select((p, i) => p with { Number = (byte)(i + 1), Spi = [] }).ToList();

    private static IReadOnlyList<Proposal> RestrictGroup(IReadOnlyList<Proposal> proposals, DhGroup group) =>
        proposals.Select(p => p with
        {
            Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange || t.Id == (ushort)group).ToList(),
        }).ToList();
}
