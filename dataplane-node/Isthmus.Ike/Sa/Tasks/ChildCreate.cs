using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// The first Child SA, negotiated inside IKE_AUTH (RFC 7296 §1.2, §2.9, §2.17). No KE: KEYMAT is
/// prf+(SK_d, Ni | Nr), and a key-exchange transform in the ESP proposal is ignored (§1.2).
/// The responder narrows the traffic selectors to its policy; the initiator checks the answer
/// is a subset of what it proposed. A failure here answers with NO_PROPOSAL_CHOSEN or
/// TS_UNACCEPTABLE but leaves the IKE SA up (§1.2).
/// </summary>
public sealed class ChildCreate(IkeSa sa) : IkeTaskBase(sa)
{
    private uint _spiIn;
    private SelectedProposal? _selected;
    private List<TrafficSelector>? _tsi, _tsr;
    private NotifyPayload? _childError;

    public override ExchangeType Exchange => ExchangeType.IkeAuth;

    public override TaskStatus Build(List<Payload> message)
    {
        var config = Sa.Config!;
        if (Sa.IsInitiator)
        {
            _spiIn = Sa.AllocateChildSpi();
            var spi = SpiBytes(_spiIn);
            var proposals = config.EspProposals.Select((p, i) => p with
            {
                Number = (byte)(i + 1),
                Spi = spi,
                // RFC 7296 §1.2: the first Child SA has no KE of its own.
                Transforms = p.Transforms.Where(t => t.Type != TransformType.KeyExchange).ToList(),
            }).ToList();
            message.Add(new SaPayload(proposals));
            message.Add(new TsPayload(true, config.LocalTs));
            message.Add(new TsPayload(false, config.RemoteTs));
            return TaskStatus.NeedMore;
        }

        if (_childError is not null)
        {
            message.Add(_childError);
            return TaskStatus.Done;
        }
        if (_selected is null) return TaskStatus.Done; // no Child SA was requested
        message.Add(new SaPayload([_selected.ToProposal(SpiBytes(_spiIn))]));
        message.Add(new TsPayload(true, _tsi!));
        message.Add(new TsPayload(false, _tsr!));
        return TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message) =>
        Sa.IsInitiator ? ProcessResponse(message) : ProcessRequest(message);

    private TaskStatus ProcessRequest(IkeMessage m)
    {
        var saPayload = m.Get<SaPayload>();
        var tsi = m.GetAll<TsPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = m.GetAll<TsPayload>().FirstOrDefault(t => !t.IsInitiator);
        if (saPayload is null && tsi is null && tsr is null) return TaskStatus.Done;
        if (saPayload is null || tsi is null || tsr is null)
            return ChildFailure(NotifyType.InvalidSyntax, "Child SA request lacks SA, TSi or TSr");

        var config = Sa.Config!;
        var selected = ProposalSelector.Select(saPayload.Proposals, config.EspProposals, ProtocolId.Esp, ignoreKeyExchange: true);
        if (selected is null) return ChildFailure(NotifyType.NoProposalChosen, "no acceptable ESP proposal");

        // TSi describes the initiator's side: our remote; TSr our local.
        var narrowedI = TrafficSelectorNarrowing.Narrow(tsi.Selectors, config.RemoteTs);
        var narrowedR = TrafficSelectorNarrowing.Narrow(tsr.Selectors, config.LocalTs);
        if (narrowedI.Count == 0 || narrowedR.Count == 0)
            return ChildFailure(NotifyType.TsUnacceptable, "proposed traffic selectors are outside the tunnel's policy");

        _selected = selected with { DhGroup = DhGroup.None };
        _tsi = narrowedI;
        _tsr = narrowedR;
        _spiIn = Sa.AllocateChildSpi();
        var spiOut = BinaryPrimitives.ReadUInt32BigEndian(selected.Spi);
        return Install(spiOut, localTs: narrowedR, remoteTs: narrowedI) ? TaskStatus.NeedMore : TaskStatus.Failed;
    }

    private TaskStatus ProcessResponse(IkeMessage m)
    {
        var config = Sa.Config!;
        if (FirstError(m) is { } error)
        {
            Sa.ReportChildFailure(error.NotifyType, $"peer refused the Child SA with {error.NotifyType}");
            return TaskStatus.Done;
        }
        var saPayload = m.Get<SaPayload>();
        var tsi = m.GetAll<TsPayload>().FirstOrDefault(t => t.IsInitiator);
        var tsr = m.GetAll<TsPayload>().FirstOrDefault(t => !t.IsInitiator);
        if (saPayload is null || tsi is null || tsr is null || saPayload.Proposals.Count != 1)
        {
            Sa.ReportChildFailure(NotifyType.InvalidSyntax, "IKE_AUTH response lacks SA, TSi or TSr for the Child SA");
            return TaskStatus.Done;
        }
        var offered = config.EspProposals.Select((p, i) => p with { Number = (byte)(i + 1), Spi = SpiBytes(_spiIn) }).ToList();
        var selected = ProposalSelector.VerifyResponse(saPayload.Proposals[0], offered, ProtocolId.Esp, ignoreKeyExchange: true);
        if (selected is null || selected.Spi.Length != 4)
        {
            Sa.ReportChildFailure(NotifyType.NoProposalChosen, "responder chose an ESP proposal we did not offer");
            return TaskStatus.Done;
        }
        if (!TrafficSelectorNarrowing.IsSubsetOf(tsi.Selectors, config.LocalTs) ||
            !TrafficSelectorNarrowing.IsSubsetOf(tsr.Selectors, config.RemoteTs))
        {
            Sa.ReportChildFailure(NotifyType.TsUnacceptable, "responder's traffic selectors are not within those we proposed");
            return TaskStatus.Done;
        }
        _selected = selected with { DhGroup = DhGroup.None };
        Install(BinaryPrimitives.ReadUInt32BigEndian(selected.Spi), localTs: tsi.Selectors, remoteTs: tsr.Selectors);
        return TaskStatus.Done;
    }

    private bool Install(uint spiOut, IReadOnlyList<TrafficSelector> localTs, IReadOnlyList<TrafficSelector> remoteTs)
    {
        if (!Sa.TryDeriveChildKeys(_selected!, [], out var keys, out var reason))
        {
            if (Sa.IsInitiator) Sa.ReportChildFailure(NotifyType.NoProposalChosen, reason!);
            else ChildFailure(NotifyType.NoProposalChosen, reason!);
            return !Sa.IsInitiator;
        }
        Sa.AddChildSa(new ChildSa(Sa.Config!.ChildName, _spiIn, spiOut, _selected!, localTs, remoteTs, keys!,
            Sa.IsInitiator, Sa.UseNatT, Sa.Now));
        return true;
    }

    private TaskStatus ChildFailure(NotifyType notify, string reason)
    {
        // The IKE SA survives; the response carries the notify instead of SA/TS (RFC 7296 §1.2).
        _childError = new NotifyPayload(notify);
        _selected = null;
        Sa.ReportChildFailure(notify, reason);
        return TaskStatus.NeedMore;
    }

    internal static byte[] SpiBytes(uint spi)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, spi);
        return b;
    }
}
