using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.Ike.Sa.Tasks;
using Isthmus.Ike.Tests.Crypto;
using TaskStatus = Isthmus.Ike.Sa.Tasks.TaskStatus;

namespace Isthmus.Ike.Tests.Sa.Tasks;

/// <summary>
/// <see cref="ChildRekey"/> in both roles, task to task, over an IKE SA pair established in memory
/// (RFC 7296 §1.3.3):
/// <code>
/// HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  --&gt;
///                                       &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
/// </code>
/// </summary>
public class ChildRekeyTests
{
    private static readonly CryptoRegistry Crypto = new();

    private static SaPair Established(string esp)
    {
        var pair = SaPair.Standard(esp: esp);
        pair.Start();
        pair.Run();
        return pair;
    }

    [Theory]
    [Trait("RFC", "7296 1.3.3")]
    [InlineData("aes128gcm16", new[] { PayloadType.Notify, PayloadType.SecurityAssociation, PayloadType.Nonce,
        PayloadType.TrafficSelectorInitiator, PayloadType.TrafficSelectorResponder })]
    [InlineData("aes128gcm16-curve25519", new[] { PayloadType.Notify, PayloadType.SecurityAssociation, PayloadType.Nonce,
        PayloadType.KeyExchange, PayloadType.TrafficSelectorInitiator, PayloadType.TrafficSelectorResponder })]
    public void Initiator_and_responder_roles_install_the_same_replacement_Child_SA(string esp, PayloadType[] request)
    {
        var pair = Established(esp);
        var i = pair.InitiatorSa!;
        var r = pair.ResponderSa!;
        var oldI = Assert.Single(i.ChildSas);
        var oldR = Assert.Single(r.ChildSas);

        var exchange = new TaskExchange(i,
            new ChildRekey(i, initiator: true, Crypto, new SeededRandomSource(1), oldI),
            new ChildRekey(r, initiator: false, Crypto, new SeededRandomSource(2))).Run();

        Assert.Equal(request, exchange.Request.Select(p => p.Type));
        var rekeySa = Assert.IsType<NotifyPayload>(exchange.Request[0]);
        Assert.Equal(NotifyType.RekeySa, rekeySa.NotifyType);
        Assert.Equal(ChildCreate.SpiBytes(oldI.SpiIn), rekeySa.Spi);
        Assert.Equal(TaskStatus.NeedMore, exchange.RequestBuilt);
        Assert.Equal(TaskStatus.NeedMore, exchange.RequestProcessed);
        Assert.Equal(TaskStatus.Done, exchange.ResponseProcessed);

        var newI = Assert.Single(i.ChildSas, c => c != oldI);
        var newR = Assert.Single(r.ChildSas, c => c != oldR);
        Assert.True(oldI.Rekeyed);
        Assert.True(oldR.Rekeyed);
        Assert.True(newI.IsInitiator);
        Assert.False(newR.IsInitiator);
        Assert.Equal(newI.SpiIn, newR.SpiOut);
        Assert.Equal(newI.SpiOut, newR.SpiIn);
        Assert.Equal(newI.OutboundEncryptionKey, newR.InboundEncryptionKey);
        Assert.Equal(newI.InboundEncryptionKey, newR.OutboundEncryptionKey);
        Assert.NotEqual(oldI.OutboundEncryptionKey, newI.OutboundEncryptionKey);
        Assert.Equal(oldI.Name, newI.Name);
        Assert.Equal(oldR.LocalTs, newR.LocalTs);
        Assert.Contains(exchange.InitiatorOutput.Events, e => e is ChildSaRekeyed { Old: var o, New: var n } && o == oldI && n == newI);
        Assert.Contains(exchange.ResponderOutput.Events, e => e is ChildSaRekeyed { Old: var o, New: var n } && o == oldR && n == newR);
        // The initiator of the rekey deletes the old SA next; the responder waits for that Delete.
        Assert.True(i.Tasks.HasQueued);
        Assert.False(r.Tasks.HasQueued);
    }

    [Fact]
    [Trait("RFC", "7296 2.25")]
    public void Responder_role_answers_TEMPORARY_FAILURE_for_an_SA_it_is_rekeying_itself_and_the_initiator_retries_later()
    {
        var pair = Established("aes128gcm16");
        var i = pair.InitiatorSa!;
        var r = pair.ResponderSa!;
        var oldI = Assert.Single(i.ChildSas);
        // The responder has sent its own rekey of the same pair: that marks its Child SA as being rekeyed.
        new ChildRekey(r, initiator: true, Crypto, new SeededRandomSource(3), Assert.Single(r.ChildSas)).Build([], new IkeOutput());

        var exchange = new TaskExchange(i,
            new ChildRekey(i, initiator: true, Crypto, new SeededRandomSource(1), oldI),
            new ChildRekey(r, initiator: false, Crypto, new SeededRandomSource(2))).Run();

        Assert.Equal(TaskStatus.Failed, exchange.RequestProcessed);
        Assert.Equal(NotifyType.TemporaryFailure, Assert.IsType<NotifyPayload>(Assert.Single(exchange.Response)).NotifyType);
        Assert.Equal(TaskStatus.Done, exchange.ResponseProcessed);
        Assert.Same(oldI, Assert.Single(i.ChildSas));
        Assert.False(oldI.Rekeyed);
        Assert.InRange(oldI.RekeyAt, i.Now + TimeSpan.FromSeconds(10), i.Now + TimeSpan.FromSeconds(30));
        Assert.Contains(exchange.InitiatorOutput.Events, e => e is ChildSaFailed { Notify: NotifyType.TemporaryFailure });
    }

    [Fact]
    [Trait("RFC", "7296 1.3.3")]
    public void Responder_role_answers_CHILD_SA_NOT_FOUND_for_an_unknown_SPI()
    {
        var pair = Established("aes128gcm16");
        var r = pair.ResponderSa!;
        var stranger = Assert.Single(pair.InitiatorSa!.ChildSas);
        var request = new List<Payload>();
        new ChildRekey(pair.InitiatorSa, initiator: true, Crypto, new SeededRandomSource(1), stranger).Build(request, new IkeOutput());
        request[0] = new NotifyPayload(ProtocolId.Esp, ChildCreate.SpiBytes(0x0BAD_0BAD), NotifyType.RekeySa, []);

        var responder = new ChildRekey(r, initiator: false, Crypto, new SeededRandomSource(2));
        var status = responder.Process(new IkeMessage(
            new IkeHeader(r.SpiI, r.SpiR, PayloadType.NoNextPayload, ExchangeType.CreateChildSa, IkeHeaderFlags.Initiator, 2, 0), request),
            new IkeOutput());

        Assert.Equal(TaskStatus.Failed, status);
        Assert.Equal(NotifyType.ChildSaNotFound, responder.ErrorNotify!.NotifyType);
        Assert.False(Assert.Single(r.ChildSas).Rekeyed);
    }
}
