using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.Ike.Sa.Tasks;
using Isthmus.Ike.Tests.Crypto;
using TaskStatus = Isthmus.Ike.Sa.Tasks.TaskStatus;

namespace Isthmus.Ike.Tests.Sa.Tasks;

/// <summary>
/// <see cref="IkeRekey"/> in both roles, task to task, over an IKE SA pair established in memory
/// (RFC 7296 §1.3.2, §2.18):
/// <code>
/// HDR, SK {SA, Ni, KEi}  --&gt;
///                  &lt;--  HDR, SK {SA, Nr, KEr}
/// SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
/// </code>
/// </summary>
public class IkeRekeyTests
{
    private static readonly CryptoRegistry Crypto = new();

    [Theory]
    [Trait("RFC", "7296 2.18")]
    [InlineData("aes256gcm16-prfsha384-ecp384")]
    [InlineData("aes128-sha256-curve25519")]
    public void Initiator_and_responder_roles_derive_the_same_new_IKE_SA_which_takes_the_Child_SAs(string ike)
    {
        var pair = SaPair.Standard(ike);
        pair.Start();
        pair.Run();
        var i = pair.InitiatorSa!;
        var r = pair.ResponderSa!;
        var child = Assert.Single(i.ChildSas);

        var exchange = new TaskExchange(i,
            new IkeRekey(i, initiator: true, Crypto, new SeededRandomSource(1)),
            new IkeRekey(r, initiator: false, Crypto, new SeededRandomSource(2))).Run();

        Assert.Equal([PayloadType.SecurityAssociation, PayloadType.Nonce, PayloadType.KeyExchange], exchange.Request.Select(p => p.Type));
        Assert.Equal([PayloadType.SecurityAssociation, PayloadType.Nonce, PayloadType.KeyExchange], exchange.Response.Select(p => p.Type));
        Assert.Equal(TaskStatus.Done, exchange.ResponseProcessed);
        var newI = i.TakeSuccessor()!;
        var newR = r.TakeSuccessor()!;
        Assert.True(newI.IsInitiator); // the side that initiated the rekey is the new SA's original initiator
        Assert.False(newR.IsInitiator);
        Assert.Equal(newI.SpiI, newR.SpiI);
        Assert.Equal(newI.SpiR, newR.SpiR);
        Assert.NotEqual(i.SpiI, newI.SpiI);
        Assert.Equal(newI.Keys!.SkD, newR.Keys!.SkD);
        Assert.Equal(newI.Keys.SkEi, newR.Keys.SkEi);
        Assert.NotEqual(i.Keys!.SkD, newI.Keys.SkD);
        Assert.Equal(IkeSaState.Established, newI.State);
        Assert.Same(child, Assert.Single(newI.ChildSas));
        Assert.Empty(i.ChildSas);
        Assert.Equal(1, newI.RekeyCount);
        Assert.Contains(exchange.InitiatorOutput.Events, e => e is IkeSaRekeyed { New: var n } && n == newI);
        Assert.Contains(exchange.ResponderOutput.Events, e => e is IkeSaRekeyed { New: var n } && n == newR);
        // The initiator of the rekey deletes the old IKE SA next.
        Assert.True(i.Tasks.HasQueued);
        Assert.False(r.Tasks.HasQueued);
    }

    [Fact]
    [Trait("RFC", "7296 1.3.2")]
    public void Responder_role_answers_INVALID_KE_PAYLOAD_naming_its_group_and_the_initiator_keeps_the_SA()
    {
        var pair = SaPair.Standard("aes256gcm16-prfsha384-ecp384");
        pair.Start();
        pair.Run();
        var i = pair.InitiatorSa!;
        var r = pair.ResponderSa!;
        var initiator = new IkeRekey(i, initiator: true, Crypto, new SeededRandomSource(1));
        var request = new List<Payload>();
        initiator.Build(request, new IkeOutput());
        request[2] = new KePayload(DhGroup.Curve25519, new byte[32]);

        var responder = new IkeRekey(r, initiator: false, Crypto, new SeededRandomSource(2));
        var status = responder.Process(new IkeMessage(
            new IkeHeader(i.SpiI, i.SpiR, PayloadType.NoNextPayload, ExchangeType.CreateChildSa, IkeHeaderFlags.Initiator, 2, 0), request),
            new IkeOutput());
        var output = new IkeOutput();
        initiator.Process(new IkeMessage(
            new IkeHeader(i.SpiI, i.SpiR, PayloadType.NoNextPayload, ExchangeType.CreateChildSa, IkeHeaderFlags.Response, 2, 0),
            [responder.ErrorNotify!]), output);

        Assert.Equal(TaskStatus.Failed, status);
        Assert.Equal(NotifyType.InvalidKePayload, responder.ErrorNotify!.NotifyType);
        Assert.Equal(ChildCreate.GroupData(DhGroup.Ecp384), responder.ErrorNotify.Data);
        Assert.Null(r.TakeSuccessor());
        Assert.Null(i.TakeSuccessor());
        Assert.Contains(output.Events, e => e is RekeyFailed);
        Assert.InRange(i.IkeRekeyAt, i.Now + TimeSpan.FromSeconds(10), i.Now + TimeSpan.FromSeconds(30));
    }
}
