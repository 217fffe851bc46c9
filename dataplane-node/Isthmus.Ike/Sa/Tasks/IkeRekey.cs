using System.Buffers.Binary;
using System.Security.Cryptography;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Rekeys the IKE SA as initiator (RFC 7296 §1.3.2, §2.18). The new SA takes over the Child SAs;
/// the old one is then deleted.
/// <code>
/// HDR, SK {SA, Ni, KEi}  --&gt;
///                  &lt;--  HDR, SK {SA, Nr, KEr}
/// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
/// </code>
/// </summary>
public sealed class IkeRekey(IkeSa sa) : IkeTaskBase(sa)
{
    private ulong _newSpiI;
    private byte[]? _ni;
    private IKeyExchange? _ke;

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override TaskStatus Build(List<Payload> message)
    {
        var group = Sa.IkeProposal!.DhGroup;
        if (!CryptoRegistry.TryCreateKeyExchange(group, out _ke))
            return Fail(NotifyType.NoProposalChosen, $"key exchange group {group} is not supported");
        _newSpiI = IkeSa.NewIkeSpi();
        _ni = RandomNumberGenerator.GetBytes(IkeInit.NonceLength);
        message.Add(new SaPayload(Offered(group)));
        message.Add(new NoncePayload(_ni));
        message.Add(new KePayload(group, _ke.PublicKey));
        return TaskStatus.NeedMore;
    }

    public override TaskStatus Process(IkeMessage m)
    {
        using var ke = _ke;
        if (FirstError(m) is { } error)
        {
            // Keep the current IKE SA and try again later (RFC 7296 §2.25 for TEMPORARY_FAILURE).
            Sa.ScheduleIkeRekeyRetry($"peer refused to rekey the IKE SA with {error.NotifyType}");
            return TaskStatus.Done;
        }
        var saPayload = m.Get<SaPayload>();
        var nonce = m.Get<NoncePayload>();
        var kePayload = m.Get<KePayload>();
        if (saPayload is null || nonce is null || kePayload is null || saPayload.Proposals.Count != 1)
        {
            Sa.ScheduleIkeRekeyRetry("IKE rekey response lacks SA, Nonce or KE");
            return TaskStatus.Done;
        }
        var selected = ProposalSelector.VerifyResponse(saPayload.Proposals[0], Offered(Sa.IkeProposal!.DhGroup), ProtocolId.Ike);
        if (selected is null || selected.Spi.Length != 8 || kePayload.Group != selected.DhGroup ||
            !ke!.TryComputeSharedSecret(kePayload.Data, out var secret, out _))
        {
            Sa.ScheduleIkeRekeyRetry("IKE rekey response does not match what we offered");
            return TaskStatus.Done;
        }
        var newSpiR = BinaryPrimitives.ReadUInt64BigEndian(selected.Spi);
        if (!Sa.RekeyInto(selected, _newSpiI, newSpiR, _ni!, nonce.Data, secret, initiatedByUs: true, out var reason))
            Sa.ScheduleIkeRekeyRetry(reason!);
        CryptographicOperations.ZeroMemory(secret);
        return TaskStatus.Done;
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
