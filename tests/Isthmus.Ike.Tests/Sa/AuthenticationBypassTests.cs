using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Exchanges out of order (RFC 7296 §1.2, §2.2): before IKE_AUTH completes, the peer is not
/// authenticated, so only IKE_AUTH may follow IKE_SA_INIT. A peer that knows the SK keys (anyone
/// can complete IKE_SA_INIT) must not create or delete SAs by skipping authentication:
/// <code>
/// HDR, SAi1, KEi, Ni                 --&gt;
///                                 &lt;--  HDR, SAr1, KEr, Nr
/// HDR(CREATE_CHILD_SA, 1), SK {...}  --&gt;   dropped, counted, no answer
/// HDR(INFORMATIONAL, 1), SK {D(IKE)} --&gt;   dropped, counted, no answer
/// HDR(IKE_AUTH, 1), SK {IDi, AUTH, SAi2, TSi, TSr} --&gt;
///                                 &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// </code>
/// </summary>
public class AuthenticationBypassTests
{
    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void CREATE_CHILD_SA_before_IKE_AUTH_is_dropped_and_counted_and_IKE_AUTH_still_completes()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;
        Assert.Equal(IkeSaState.Connecting, responder.State);

        var forged = SkCodec.Request(initiator, ExchangeType.CreateChildSa, 1,
        [
            new SaPayload([new Proposal(1, ProtocolId.Esp, [1, 2, 3, 4],
                [new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 128), new Transform(TransformType.ExtendedSequenceNumbers, 0)])]),
            new NoncePayload(new byte[32]),
            new TsPayload(true, [SaPair.Selector("0.0.0.0/0")]),
            new TsPayload(false, [SaPair.Selector("0.0.0.0/0")]),
        ]);
        var output = pair.SendToResponder(forged);

        Assert.Empty(output.Datagrams);
        Assert.Contains(output.Events, e => e is MessageDropped { Sa: not null });
        Assert.Equal(1, responder.DroppedMessages);
        Assert.Empty(responder.ChildSas);
        Assert.Equal(IkeSaState.Connecting, responder.State);

        pair.Run(); // the genuine IKE_AUTH request, still message ID 1
        Assert.Equal(IkeSaState.Established, responder.State);
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Single(responder.ChildSas);
    }

    [Fact]
    [Trait("RFC", "7296 1.4")]
    public void INFORMATIONAL_Delete_before_IKE_AUTH_is_dropped_and_leaves_the_SA_alive()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var responder = pair.ResponderSa!;

        var output = pair.SendToResponder(SkCodec.Request(pair.InitiatorSa!, ExchangeType.Informational, 1,
            [new DeletePayload(ProtocolId.Ike, [])]));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, responder.DroppedMessages);
        Assert.DoesNotContain(output.Events, e => e is IkeSaClosed);
        Assert.Same(responder, pair.ResponderSa);

        pair.Run();
        Assert.Equal(IkeSaState.Established, responder.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.4")]
    public void Empty_INFORMATIONAL_before_IKE_AUTH_gets_no_answer()
    {
        // A liveness probe is no exception: an unauthenticated peer learns nothing from us.
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();

        var output = pair.SendToResponder(SkCodec.Request(pair.InitiatorSa!, ExchangeType.Informational, 1, []));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, pair.ResponderSa!.DroppedMessages);
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void IKE_AUTH_request_sent_to_the_initiator_is_dropped()
    {
        // Only the original initiator sends IKE_AUTH requests; one with the I flag clear is a forgery.
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var initiator = pair.InitiatorSa!;

        var output = pair.SendToInitiator(SkCodec.Request(initiator, ExchangeType.IkeAuth, 0,
            [new IdPayload(false, IdType.Fqdn, "branch.example.com"u8.ToArray()), new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, new byte[48])],
            fromInitiator: false));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, initiator.DroppedMessages);
        pair.Run();
        Assert.Equal(IkeSaState.Established, initiator.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void IKE_SA_INIT_request_sent_to_the_initiator_is_dropped()
    {
        // The responder's IKE_SA_INIT response with the Response flag cleared reads as a request
        // from the responder, naming the initiator's SPI. The initiator never answers IKE_SA_INIT:
        // it must not take the message as the peer's, nor derive keys from it, nor answer it.
        var pair = SaPair.Standard();
        var initiator = pair.Start();
        pair.DeliverOne();
        var response = pair.Wire.Peek().Datagram.Data;
        var asRequest = (byte[])response.Clone();
        asRequest[19] &= unchecked((byte)~IkeHeaderFlags.Response);

        var output = pair.SendToInitiator(asRequest);

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, initiator.DroppedMessages);
        Assert.Equal(IkeSaState.Created, initiator.State);
        Assert.Null(initiator.Keys);

        pair.Run();
        Assert.Equal(IkeSaState.Established, initiator.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.2")]
    public void IKE_AUTH_before_IKE_SA_INIT_finds_no_SA_and_is_dropped()
    {
        // HDR(SPIi, SPIr=0 or unknown, IKE_AUTH, 1), SK {...}: no IKE SA, no keys, no state.
        var pair = SaPair.Standard();
        var sa = pair.Start();
        foreach (var spiR in new ulong[] { 0, 0x0123456789abcdef })
        {
            var header = new IkeHeader(sa.SpiI, spiR, PayloadType.NoNextPayload, ExchangeType.IkeAuth, IkeHeaderFlags.Initiator, 1, 0);
            var bogus = new IkeMessage(header, [new EncryptedPayload(PayloadType.IdentificationInitiator, new byte[64])]).Encode();

            var output = pair.SendToResponder(bogus);

            Assert.Empty(output.Datagrams);
            Assert.Contains(output.Events, e => e is MessageDropped);
        }
        Assert.Equal(2, pair.Responder.DroppedMessages);
        Assert.Empty(pair.Responder.Sas);

        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void IKE_AUTH_from_the_initiator_before_the_responder_answered_IKE_SA_INIT_is_dropped()
    {
        // The responder knows SPIi only once its IKE_SA_INIT response has gone out; before that a
        // message naming a responder SPI it never handed out has no SA.
        var pair = SaPair.Standard();
        pair.Start();
        pair.DeliverOne(); // IKE_SA_INIT request: the responder answers and is Connecting
        var responder = pair.ResponderSa!;
        var header = new IkeHeader(responder.SpiI, responder.SpiR ^ 1, PayloadType.NoNextPayload, ExchangeType.IkeAuth,
            IkeHeaderFlags.Initiator, 1, 0);

        var output = pair.SendToResponder(new IkeMessage(header, [new EncryptedPayload(PayloadType.IdentificationInitiator, new byte[64])]).Encode());

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, pair.Responder.DroppedMessages);
        pair.Run();
        Assert.Equal(IkeSaState.Established, responder.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Second_IKE_SA_INIT_on_an_established_SA_is_dropped_without_creating_state()
    {
        // A replayed first message (same SPIi, from the same peer) after the SA is up:
        // HDR(SPIi, 0, IKE_SA_INIT, 0), SAi1, KEi, Ni  --&gt;  dropped (message ID 0 is long done)
        var pair = SaPair.Standard();
        pair.Start();
        var initRequest = pair.Wire.Peek().Datagram.Data;
        pair.Run();
        var responder = pair.ResponderSa!;
        Assert.Equal(IkeSaState.Established, responder.State);

        var output = pair.SendToResponder(initRequest);

        Assert.Empty(output.Datagrams);
        Assert.Same(responder, Assert.Single(pair.Responder.Sas));
        Assert.Equal(1, responder.DroppedMessages);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void IKE_SA_INIT_addressed_to_an_established_SA_is_dropped()
    {
        // HDR(SPIi, SPIr, IKE_SA_INIT, 0) on an SA that has both SPIs: not a new SA, not a valid request.
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        var responder = pair.ResponderSa!;
        var request = SkCodec.InitRequest("aes256gcm16-prfsha384-ecp384", DhGroup.Ecp384);
        var header = new IkeHeader(responder.SpiI, responder.SpiR, PayloadType.SecurityAssociation, ExchangeType.IkeSaInit,
            IkeHeaderFlags.Initiator, 0, (uint)request.Length);
        header.Write(request);

        var output = pair.SendToResponder(request);

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, responder.DroppedMessages);
        Assert.Equal(IkeSaState.Established, responder.State);
    }
}
