using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Answers CREATE_CHILD_SA (RFC 7296 §1.3): rekeying the IKE SA (§1.3.2), rekeying a Child SA
/// named by N(REKEY_SA) (§1.3.3), or a new Child SA within the tunnel's policy (§1.3.1).
/// <code>
/// HDR, SK {SA, Ni, KEi}                           --&gt;  &lt;--  HDR, SK {SA, Nr, KEr}
/// HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  --&gt;  &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
/// </code>
/// A failure answers with the error notify and changes nothing (no half-installed SA).
/// </summary>
public sealed class CreateChildSaResponder(IkeSa sa) : IkeTaskBase(sa)
{
    private readonly List<Payload> _response = [];

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override TaskStatus Process(IkeMessage m)
    {
        var saPayload = m.Get<SaPayload>();
        var nonce = m.Get<NoncePayload>();
        if (saPayload is null || nonce is null)
            return Fail(NotifyType.InvalidSyntax, "CREATE_CHILD_SA request lacks SA or Nonce");
        var ke = m.Get<KePayload>();
        var isIke = saPayload.Proposals.Any(p => p.Protocol == ProtocolId.Ike) && !saPayload.Proposals.Any(p => p.Protocol == ProtocolId.Esp);
        return isIke ? RekeyIke(saPayload, nonce, ke) : CreateChild(m, saPayload, nonce, ke);
    }

    private TaskStatus RekeyIke(SaPayload saPayload, NoncePayload nonce, KePayload? ke)
    {
        if (Sa.IsRekeyingIke) return Fail(NotifyType.TemporaryFailure, "the IKE SA is being rekeyed by us", []);
        var offered = saPayload.Proposals.Where(p => p.Spi.Length == 8).ToList();
        var selected = ProposalSelector.Select(offered, Sa.Config!.IkeProposals, ProtocolId.Ike);
        if (selected is null) return Fail(NotifyType.NoProposalChosen, "no acceptable proposal to rekey the IKE SA");
        if (ke is null || ke.Group != selected.DhGroup)
            return Fail(NotifyType.InvalidKePayload, $"IKE rekey needs a KE for {selected.DhGroup}", GroupData(selected.DhGroup));
        if (!CryptoRegistry.TryCreateKeyExchange(selected.DhGroup, out var ours))
            return Fail(NotifyType.NoProposalChosen, $"key exchange group {selected.DhGroup} is not supported");
        using (ours)
        {
            if (!ours.TryComputeSharedSecret(ke.Data, out var secret, out var keError))
                return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");
            var nr = RandomNumberGenerator.GetBytes(IkeInit.NonceLength);
            var newSpiR = IkeSa.NewIkeSpi();
            var newSpiI = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi);
            if (!Sa.RekeyInto(selected, newSpiI, newSpiR, nonce.Data, nr, secret, initiatedByUs: false, out var reason))
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

    private TaskStatus CreateChild(IkeMessage m, SaPayload saPayload, NoncePayload nonce, KePayload? ke)
    {
        var config = Sa.Config!;
        var tsi = m.GetAll<TsPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = m.GetAll<TsPayload>().FirstOrDefault(t => !t.IsInitiator);
        if (tsi is null || tsr is null) return Fail(NotifyType.InvalidSyntax, "CREATE_CHILD_SA request lacks TSi or TSr");

        ChildSa? old = null;
        if (m.GetNotify(NotifyType.RekeySa) is { } rekey)
        {
            // The SPI in REKEY_SA is the one the peer receives on: our outbound SPI (RFC 7296 §1.3.3).
            old = rekey.Spi.Length == 4
                ? Sa.ChildSas.FirstOrDefault(c => c.SpiOut == BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi) && !c.Rekeyed)
                : null;
            if (old is null) return Fail(NotifyType.ChildSaNotFound, "REKEY_SA names no Child SA of this IKE SA", []);
            // RFC 7296 §2.25: while we rekey it ourselves, ask the peer to retry later.
            if (old.Rekeying) return Fail(NotifyType.TemporaryFailure, "this Child SA is being rekeyed by us", []);
        }

        var selected = ProposalSelector.Select(saPayload.Proposals, config.EspProposals, ProtocolId.Esp);
        if (selected is null) return Fail(NotifyType.NoProposalChosen, "no acceptable ESP proposal");
        var secret = Array.Empty<byte>();
        IKeyExchange? ours = null;
        try
        {
            if (selected.DhGroup != DhGroup.None)
            {
                if (ke is null || ke.Group != selected.DhGroup)
                    return Fail(NotifyType.InvalidKePayload, $"PFS needs a KE for {selected.DhGroup}", GroupData(selected.DhGroup));
                if (!CryptoRegistry.TryCreateKeyExchange(selected.DhGroup, out ours))
                    return Fail(NotifyType.NoProposalChosen, $"PFS group {selected.DhGroup} is not supported");
                if (!ours.TryComputeSharedSecret(ke.Data, out secret, out var keError))
                    return Fail(NotifyType.InvalidSyntax, $"peer's KE value refused: {keError}");
            }

            var localPolicy = old?.LocalTs ?? config.LocalTs;
            var remotePolicy = old?.RemoteTs ?? config.RemoteTs;
            var narrowedI = TrafficSelectorNarrowing.Narrow(tsi.Selectors, old is null ? config.RemoteTs : remotePolicy);
            var narrowedR = TrafficSelectorNarrowing.Narrow(tsr.Selectors, old is null ? config.LocalTs : localPolicy);
            if (narrowedI.Count == 0 || narrowedR.Count == 0)
                return Fail(NotifyType.TsUnacceptable, "proposed traffic selectors are outside the tunnel's policy");

            var nr = RandomNumberGenerator.GetBytes(IkeInit.NonceLength);
            if (!Sa.TryDeriveChildKeys(selected, secret, nonce.Data, nr, out var keys, out var reason))
                return Fail(NotifyType.NoProposalChosen, reason!);
            var spiIn = Sa.AllocateChildSpi();
            var child = new ChildSa(old?.Name ?? config.ChildName, spiIn, BinaryPrimitives.ReadUInt32BigEndian(selected.Spi), selected,
                narrowedR, narrowedI, keys!, isInitiator: false, Sa.UseNatT, Sa.Now);
            if (old is null) Sa.AddChildSa(child);
            else Sa.CompleteChildRekey(old, child);

            _response.Add(new SaPayload([selected.ToProposal(ChildCreate.SpiBytes(spiIn))]));
            _response.Add(new NoncePayload(nr));
            if (ours is not null) _response.Add(new KePayload(selected.DhGroup, ours.PublicKey));
            _response.Add(new TsPayload(true, narrowedI));
            _response.Add(new TsPayload(false, narrowedR));
            return TaskStatus.NeedMore;
        }
        finally
        {
            ours?.Dispose();
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public override TaskStatus Build(List<Payload> message)
    {
        message.AddRange(_response);
        return TaskStatus.Done;
    }

    private static byte[] GroupData(DhGroup group)
    {
        var data = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)group);
        return data;
    }
}
