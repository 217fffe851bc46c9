using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Rekeys the IKE SA with CREATE_CHILD_SA, in either role (RFC 7296 §1.3.2, §2.18). The new SA
/// takes over the Child SAs; the side that initiated the rekey is its original initiator and then
/// deletes the old one.
/// <code>
/// HDR, SK {SA, Ni, KEi}  --&gt;
///                  &lt;--  HDR, SK {SA, Nr, KEr}
/// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
/// </code>
/// A refused or unusable answer keeps the current SA and retries later. While this end's own rekey
/// is outstanding the peer's is answered TEMPORARY_FAILURE (§2.25). Key pairs come from the injected
/// <see cref="ICryptoFactory"/>, SPIs and nonces from the injected <see cref="IRandomSource"/>.
/// </summary>
public sealed class IkeRekey(IkeSa sa, bool initiator, ICryptoFactory crypto, IRandomSource random) : IkeTaskBase(sa, initiator)
{
    private ulong _newSpiI;
    private byte[]? _ni;
    private IKeyExchange? _ke;
    private readonly List<Payload> _response = [];

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        if (!IsInitiator)
        {
            message.AddRange(_response);
            return TaskStatus.Done;
        }
        var group = Sa.IkeProposal!.DhGroup;
        if (!crypto.TryCreateKeyExchange(group, out _ke))
            return Fail(NotifyType.NoProposalChosen, $"key exchange group {group} is not supported");
        _newSpiI = random.NewIkeSpi();
        _ni = random.NewNonce();
        message.Add(new SaPayload(Offered(group)));
        message.Add(new NoncePayload(_ni));
        message.Add(new KePayload(group, _ke.PublicKey));
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output) =>
        IsInitiator ? ProcessResponse(message, output) : ProcessRequest(message, output);

    private TaskStatus ProcessResponse(IkeMessage m, IkeOutput output)
    {
        using var ke = _ke;
        if (FirstError(m) is { } error)
        {
            // Keep the current IKE SA and try again later (RFC 7296 §2.25 for TEMPORARY_FAILURE).
            Sa.ScheduleIkeRekeyRetry($"peer refused to rekey the IKE SA with {error.NotifyType}", output);
            return TaskStatus.Done;
        }
        var saPayload = m.Get<SaPayload>();
        var nonce = m.Get<NoncePayload>();
        var kePayload = m.Get<KePayload>();
        if (saPayload is null || nonce is null || kePayload is null || saPayload.Proposals.Count != 1)
        {
            Sa.ScheduleIkeRekeyRetry("IKE rekey response lacks SA, Nonce or KE", output);
            return TaskStatus.Done;
        }
        var selected = ProposalSelector.VerifyResponse(crypto, saPayload.Proposals[0], Offered(Sa.IkeProposal!.DhGroup), ProtocolId.Ike);
        if (selected is null || selected.Spi.Length != 8 || kePayload.Group != selected.DhGroup ||
            !ke!.TryComputeSharedSecret(kePayload.Data, out var secret, out _))
        {
            Sa.ScheduleIkeRekeyRetry("IKE rekey response does not match what we offered", output);
            return TaskStatus.Done;
        }
        var newSpiR = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi);
        if (!Sa.RekeyInto(selected, _newSpiI, newSpiR, _ni!, nonce.Data, secret, initiatedByUs: true, output, out var reason))
            Sa.ScheduleIkeRekeyRetry(reason!, output);
        CryptographicOperations.ZeroMemory(secret);
        return TaskStatus.Done;
    }

    private TaskStatus ProcessRequest(IkeMessage m, IkeOutput output)
    {
        var nonce = m.Get<NoncePayload>();
        if (nonce is null) return Fail(NotifyType.InvalidSyntax, "CREATE_CHILD_SA request lacks SA or Nonce");
        if (Sa.IsRekeyingIke) return Fail(NotifyType.TemporaryFailure, "the IKE SA is being rekeyed by us", []);
        var offered = m.Get<SaPayload>()!.Proposals.Where(p => p.Spi.Length == 8).ToList();
        var selected = ProposalSelector.Select(crypto, offered, Sa.Config!.IkeProposals, ProtocolId.Ike);
        if (selected is null) return Fail(NotifyType.NoProposalChosen, "no acceptable proposal to rekey the IKE SA");
        var ke = m.Get<KePayload>();
        if (ke is null || ke.Group != selected.DhGroup)
            return Fail(NotifyType.InvalidKePayload, $"IKE rekey needs a KE for {selected.DhGroup}", ChildCreate.GroupData(selected.DhGroup));
        if (!crypto.TryCreateKeyExchange(selected.DhGroup, out var ours))
            return Fail(NotifyType.NoProposalChosen, $"key exchange group {selected.DhGroup} is not supported");
        using (ours)
        {
            if (!ours.TryComputeSharedSecret(ke.Data, out var secret, out var keError))
                return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");
            var nr = random.NewNonce();
            var newSpiR = random.NewIkeSpi();
            var newSpiI = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi);
            if (!Sa.RekeyInto(selected, newSpiI, newSpiR, nonce.Data, nr, secret, initiatedByUs: false, output, out var reason))
                return Fail(NotifyType.NoProposalChosen, reason!);
            CryptographicOperations.ZeroMemory(secret);
            var spi = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(spi, newSpiR);
            _response.Add(new SaPayload([selected.ToProposal(spi)]));
            _response.Add(new NoncePayload(nr));
            _response.Add(new KePayload(selected.DhGroup, ours.PublicKey));
        }
        return TaskStatus.NeedMore;
    }

    private List<Proposal> Offered(DhGroup group)
    {
        var spi = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(spi, _newSpiI);
        // The group we send a KE for comes first in every proposal, so the responder can pick it.
        return Sa.Config!.IkeProposals.Select((p, i) => p with
        {
            Number = (byte)(i + 1),
            Spi = spi,
            Transforms = p.Transforms.OrderBy(t => t.Type == TransformType.KeyExchange && t.Id != (ushort)group ? 1 : 0).ToList(),
        }).ToList();
    }
}
