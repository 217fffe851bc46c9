using System.Buffers.Binary;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// Rekeys a Child SA with CREATE_CHILD_SA, in either role (RFC 7296 §1.3.3, §2.8). The new SA is
/// negotiated by a <see cref="ChildCreate"/> this task composes, keeping the old SA's name and
/// selectors; N(REKEY_SA) names the SA being replaced by the SPI its receiver gets ESP on.
/// <code>
/// HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  --&gt;
///                                       &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
/// </code>
/// The initiator then deletes the old SA with an INFORMATIONAL exchange; the responder waits for
/// that Delete. A refused rekey keeps the old SA and is retried after 10-30 s; a request for an SA
/// this end is rekeying itself is answered TEMPORARY_FAILURE (§2.25).
/// </summary>
public sealed class ChildRekey : IkeTaskBase
{
    private readonly ICryptoFactory _crypto;
    private readonly IRandomSource _random;
    private ChildSa? _old;
    private ChildCreate? _create;

    /// <summary>Rekeys <paramref name="old"/> (initiator), or answers the peer's rekey of one of ours (responder, <paramref name="old"/> null).</summary>
    public ChildRekey(IkeSa sa, bool initiator, ICryptoFactory crypto, IRandomSource random, ChildSa? old = null)
        : base(sa, initiator)
    {
        if (initiator && old is null) throw new ArgumentNullException(nameof(old), "the initiator of a rekey names the Child SA");
        _crypto = crypto;
        _random = random;
        _old = old;
    }

    public override ExchangeType Exchange => ExchangeType.CreateChildSa;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        if (!IsInitiator) return _create!.Build(message, output);
        var old = _old!;
        old.Rekeying = true;
        _create = new ChildCreate(Sa, initiator: true, _crypto, _random, old);
        message.Add(new NotifyPayload(ProtocolId.Esp, ChildCreate.SpiBytes(old.SpiIn), NotifyType.RekeySa, []));
        var status = _create.Build(message, output);
        return status == TaskStatus.Failed ? FailAs(_create) : status;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output) =>
        IsInitiator ? ProcessResponse(message, output) : ProcessRequest(message, output);

    private TaskStatus ProcessResponse(IkeMessage m, IkeOutput output)
    {
        var old = _old!;
        old.Rekeying = false;
        _create!.Process(m, output);
        if (_create.Refusal is { } refusal)
        {
            // Keep the old SA and try again later (RFC 7296 §2.25 for TEMPORARY_FAILURE).
            Sa.ReportChildFailure(refusal.Notify, refusal.Reason, output);
            old.RekeyAt = Sa.RetryTime();
            return TaskStatus.Done;
        }
        Sa.CompleteChildRekey(old, _create.Child!, output);
        return TaskStatus.Done;
    }

    private TaskStatus ProcessRequest(IkeMessage m, IkeOutput output)
    {
        if (ChildCreate.MissingPayloads(m) is { } missing) return Fail(NotifyType.InvalidSyntax, missing);
        // The SPI in REKEY_SA is the one the peer receives on: our outbound SPI (RFC 7296 §1.3.3).
        var rekey = m.GetNotify(NotifyType.RekeySa)!;
        _old = rekey.Spi.Length == 4
            ? Sa.ChildSas.FirstOrDefault(c => c.SpiOut == BinaryPrimitives.ReadUInt32BigEndian(rekey.Spi) && !c.Rekeyed)
            : null;
        if (_old is null) return Fail(NotifyType.ChildSaNotFound, "REKEY_SA names no Child SA of this IKE SA", []);
        // RFC 7296 §2.25: while we rekey it ourselves, ask the peer to retry later.
        if (_old.Rekeying) return Fail(NotifyType.TemporaryFailure, "this Child SA is being rekeyed by us", []);

        _create = new ChildCreate(Sa, initiator: false, _crypto, _random, _old);
        var status = _create.Process(m, output);
        if (status == TaskStatus.Failed) return FailAs(_create);
        Sa.CompleteChildRekey(_old, _create.Child!, output);
        return status;
    }
}
