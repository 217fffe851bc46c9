using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Rekeys a Child SA as initiator of a CREATE_CHILD_SA exchange (RFC 7296 §1.3.3, §2.8). With a
/// key-exchange group in the ESP proposal the new SA gets fresh Diffie-Hellman keys (PFS),
/// otherwise KEYMAT = prf+(SK_d, Ni | Nr) with this exchange's nonces. On success the old SA is
/// deleted with an INFORMATIONAL exchange.
/// <code>
/// HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  --&gt;
///                                       &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
/// </code>
/// </summary>
public sealed class ChildRekey(IkeSa sa, ChildSa old) : IkeTaskBase(sa)
{
    private uint _spiIn;
    private byte[]? _ni;
    private IKeyExchange? _ke;
    private DhGroup _group;

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override TaskStatus Build(List<Payload> message)
    {
        var config = Sa.Config!;
        old.Rekeying = true;
        _spiIn = Sa.AllocateChildSpi();
        _ni = RandomNumberGenerator.GetBytes(IkeInit.NonceLength);
        _group = old.Proposal.DhGroup != DhGroup.None ? old.Proposal.DhGroup : ConfiguredPfsGroup(config.EspProposals);
        message.Add(new NotifyPayload(ProtocolId.Esp, ChildCreate.SpiBytes(old.SpiIn), NotifyType.RekeySa, []));
        message.Add(new SaPayload(Offered(config.EspProposals)));
        message.Add(new NoncePayload(_ni));
        if (_group != DhGroup.None)
        {
            if (!CryptoRegistry.TryCreateKeyExchange(_group, out _ke))
                return Fail(NotifyType.NoProposalChosen, $"PFS group {_group} is not supported");
            message.Add(new KePayload(_group, _ke.PublicKey));
        }
        message.Add(new TsPayload(true, old.LocalTs));
        message.Add(new TsPayload(false, old.RemoteTs));
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Process(IkeMessage m)
    {
        old.Rekeying = false;
        try
        {
            if (FirstError(m) is { } error)
            {
                // TEMPORARY_FAILURE, NO_PROPOSAL_CHOSEN...: keep the old SA and retry later (RFC 7296 §2.25).
                Sa.ReportChildFailure(error.NotifyType, $"peer refused to rekey Child SA {old.SpiIn:x8} with {error.NotifyType}");
                old.RekeyAt = Sa.RetryTime();
                return TaskStatus.Done;
            }
            var saPayload = m.Get<SaPayload>();
            var nonce = m.Get<NoncePayload>();
            var tsi = m.GetAll<TsPayload>().FirstOrDefault(t => t.IsInitiator);
            var tsr = m.GetAll<TsPayload>().FirstOrDefault(t => !t.IsInitiator);
            if (saPayload is null || nonce is null || tsi is null || tsr is null || saPayload.Proposals.Count != 1)
                return ChildFail(NotifyType.InvalidSyntax, "CREATE_CHILD_SA response lacks SA, Nonce, TSi or TSr");
            var selected = ProposalSelector.VerifyResponse(saPayload.Proposals[0], Offered(Sa.Config!.EspProposals), ProtocolId.Esp);
            if (selected is null || selected.Spi.Length != 4)
                return ChildFail(NotifyType.NoProposalChosen, "responder chose an ESP proposal we did not offer");
            var secret = Array.Empty<byte>();
            if (selected.DhGroup != DhGroup.None)
            {
                var ke = m.Get<KePayload>();
                if (_ke is null || ke is null || ke.Group != selected.DhGroup || !_ke.TryComputeSharedSecret(ke.Data, out secret, out _))
                    return ChildFail(NotifyType.InvalidSyntax, "CREATE_CHILD_SA response has no usable KE for the negotiated PFS group");
            }
            if (!TrafficSelectorNarrowing.IsSubsetOf(tsi.Selectors, old.LocalTs) || !TrafficSelectorNarrowing.IsSubsetOf(tsr.Selectors, old.RemoteTs))
                return ChildFail(NotifyType.TsUnacceptable, "responder's traffic selectors are not within those we proposed");
            if (!Sa.TryDeriveChildKeys(selected, secret, _ni!, nonce.Data, out var keys, out var reason))
                return ChildFail(NotifyType.NoProposalChosen, reason!);
            CryptographicOperations.ZeroMemory(secret);
            var child = new ChildSa(old.Name, _spiIn, BinaryPrimitives.ReadUInt32BigEndian(selected.Spi), selected, tsi.Selectors,
                tsr.Selectors, keys!, isInitiator: true, Sa.UseNatT, Sa.Now);
            Sa.CompleteChildRekey(old, child);
            return TaskStatus.Done;
        }
        finally
        {
            _ke?.Dispose();
        }
    }

    private TaskStatus ChildFail(NotifyType notify, string reason)
    {
        Sa.ReportChildFailure(notify, reason);
        old.RekeyAt = Sa.RetryTime();
        return TaskStatus.Done;
    }

    private List<Proposal> Offered(IReadOnlyList<Proposal> proposals) => proposals.Select((p, i) => p with
    {
        Number = (byte)(i + 1),
        Spi = ChildCreate.SpiBytes(_spiIn),
        // Without PFS configured, no KE transform; with it, the group we send a KE for comes first.
        Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange || _group != DhGroup.None)
            .OrderBy(t => t.Type == TransformType.KeyExchange && t.Id != (ushort)_group ? 1 : 0).ToList(),
    }).ToList();

    internal static DhGroup ConfiguredPfsGroup(IReadOnlyList<Proposal> proposals) =>
        proposals.SelectMany(p => p.Transforms).Where(t => t.Type == TransformType.KeyExchange && t.Id != 0)
            .Select(t => (DhGroup)t.Id).FirstOrDefault();
}
