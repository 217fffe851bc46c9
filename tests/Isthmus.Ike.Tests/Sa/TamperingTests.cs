using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Messages altered on the way (RFC 7296 §2.21.2, §3.1, §3.14, §3.3.6). A protected message that
/// does not verify is dropped silently and counted, and the genuine retransmission still
/// completes the exchange; an IKE_SA_INIT response that does not answer what we offered fails
/// the SA cleanly:
/// <code>
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  (one bit flipped)  --&gt;   dropped, no answer
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  (genuine)          --&gt;
///                                                     &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// </code>
/// </summary>
public class TamperingTests
{
    private static long Drops(IkeSaManager manager) => manager.DroppedMessages + manager.Sas.Sum(s => s.DroppedMessages);

    [Fact]
    [Trait("RFC", "7296 2.21.2")]
    public void Every_single_bit_flip_in_the_IKE_AUTH_request_is_dropped_and_counted_and_the_genuine_one_completes()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var genuine = pair.Wire.Peek().Datagram.Data;
        var responder = pair.ResponderSa!;

        for (var bit = 0; bit < genuine.Length * 8; bit++)
        {
            var tampered = (byte[])genuine.Clone();
            tampered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            var before = Drops(pair.Responder);

            var output = pair.SendToResponder(tampered);

            Assert.True(output.Datagrams.Count == 0, $"bit {bit} drew an answer");
            Assert.True(Drops(pair.Responder) == before + 1, $"bit {bit} was not counted as a drop");
            Assert.Single(output.Events.OfType<MessageDropped>());
            Assert.Equal(IkeSaState.Connecting, responder.State);
        }

        pair.Run();
        Assert.Equal(IkeSaState.Established, responder.State);
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.21.2")]
    public void Every_single_bit_flip_in_the_IKE_AUTH_response_is_dropped_and_the_retransmission_completes()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        pair.DeliverOne();
        var genuine = pair.Wire.Dequeue().Datagram.Data;
        var initiator = pair.InitiatorSa!;

        for (var bit = 0; bit < genuine.Length * 8; bit++)
        {
            var tampered = (byte[])genuine.Clone();
            tampered[bit / 8] ^= (byte)(0x80 >> (bit % 8));
            var before = Drops(pair.Initiator);

            var output = pair.SendToInitiator(tampered);

            Assert.Empty(output.Datagrams);
            Assert.True(Drops(pair.Initiator) == before + 1, $"bit {bit} was not counted as a drop");
            Assert.Equal(IkeSaState.Connecting, initiator.State);
        }

        // The initiator retransmits, the responder answers from its cache, the SA comes up.
        pair.Advance(TimeSpan.FromSeconds(4));
        pair.Run();
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Single(initiator.ChildSas);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Request_with_the_Initiator_flag_cleared_is_dropped()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();

        pair.DeliverOne(d => FlipFlags(d, IkeHeaderFlags.Initiator));

        Assert.Empty(pair.Wire);
        Assert.Equal(1, Drops(pair.Responder));
        Assert.Equal(IkeSaState.Connecting, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Response_with_the_Initiator_flag_set_is_dropped()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        pair.DeliverOne();

        pair.DeliverOne(d => FlipFlags(d, IkeHeaderFlags.Initiator));

        Assert.Empty(pair.Wire);
        Assert.Equal(1, Drops(pair.Initiator));
        Assert.Equal(IkeSaState.Connecting, pair.InitiatorSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 3.1")]
    public void Request_with_the_Initiator_flag_wrong_inside_a_valid_SK_is_dropped()
    {
        // Correct keys and ICV, and both SPI fields name the initiator's SA, so the table lookup
        // finds it whichever way the I flag points; but the I flag claims the sender is the
        // original initiator, which is the SA itself: the roles do not match and it is dropped.
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        var initiator = pair.InitiatorSa!;
        var header = new IkeHeader(initiator.SpiI, initiator.SpiI, PayloadType.NoNextPayload, ExchangeType.Informational,
            IkeHeaderFlags.Initiator, 0, 0);

        var forged = SkCodec.Protector(initiator, asInitiator: false).Protect(header, []);
        var output = pair.SendToInitiator(forged);

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, initiator.DroppedMessages);
        Assert.Contains(output.Events, e => e is MessageDropped { Reason: var r } && r.Contains("Initiator flag"));
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void IKE_SA_INIT_response_choosing_a_transform_we_did_not_offer_fails_the_initiator_cleanly()
    {
        // SAi1{AES-GCM-16-256, PRF-SHA384, ECP-384}  --&gt;   &lt;--  SAr1{AES-CBC-128, ...}
        var pair = SaPair.Standard();
        pair.Start();
        pair.DeliverOne();

        var output = DeliverAlteredInitResponse(pair, p => p with
        {
            Transforms = [new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 128),
                .. p.Transforms.Where(t => t.Type != TransformType.Encryption),
                new Transform(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128)],
        });

        AssertFailedCleanly(pair, output, NotifyType.NoProposalChosen);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void IKE_SA_INIT_response_with_two_transforms_of_one_type_fails_the_initiator_cleanly()
    {
        // The initiator offered both AES-GCM key sizes; the responder must pick one, not both.
        var pair = SaPair.Standard("aes256gcm16-aes128gcm16-prfsha384-ecp384");
        pair.Start();
        pair.DeliverOne();

        var output = DeliverAlteredInitResponse(pair, p => p with
        {
            Transforms = [new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 128), .. p.Transforms],
        });

        AssertFailedCleanly(pair, output, NotifyType.NoProposalChosen);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.1")]
    public void IKE_SA_INIT_response_with_a_proposal_number_we_never_sent_fails_the_initiator_cleanly()
    {
        var pair = SaPair.Standard("aes256gcm16-prfsha384-ecp384,aes128gcm16-prfsha256-ecp384");
        pair.Start();
        pair.DeliverOne();

        var output = DeliverAlteredInitResponse(pair, p => p with { Number = 3 });

        AssertFailedCleanly(pair, output, NotifyType.NoProposalChosen);
    }

    [Fact]
    [Trait("RFC", "7296 3.4")]
    public void IKE_SA_INIT_response_whose_KE_group_differs_from_the_chosen_one_fails_the_initiator_cleanly()
    {
        var pair = SaPair.Standard();
        pair.Start();
        pair.DeliverOne();

        var output = DeliverAltered(pair, m => m with
        {
            Payloads = m.Payloads.Select(p => p is KePayload ? new KePayload(DhGroup.Curve25519, SkCodec.PublicValue(DhGroup.Curve25519)) : p).ToList(),
        });

        AssertFailedCleanly(pair, output, NotifyType.InvalidSyntax);
    }

    private static IkeOutput DeliverAlteredInitResponse(SaPair pair, Func<Proposal, Proposal> alter) =>
        DeliverAltered(pair, m => m with
        {
            Payloads = m.Payloads.Select(p => p is SaPayload sa ? new SaPayload([alter(sa.Proposals.Single())]) : p).ToList(),
        });

    private static IkeOutput DeliverAltered(SaPair pair, Func<IkeMessage, IkeMessage> alter)
    {
        var response = pair.Wire.Dequeue().Datagram.Data;
        Assert.True(IkeMessage.TryDecode(response, out var message, out _));
        return pair.SendToInitiator(alter(message!).Encode());
    }

    private static void AssertFailedCleanly(SaPair pair, IkeOutput output, NotifyType notify)
    {
        Assert.Empty(output.Datagrams);
        Assert.Empty(pair.Initiator.Sas);
        var closed = Assert.Single(output.Events.OfType<IkeSaClosed>());
        Assert.Equal(IkeSaCloseReason.Failed, closed.Reason);
        Assert.Equal(notify, closed.Notify);
        Assert.Equal(IkeSaState.Closed, closed.Sa!.State);
        Assert.Empty(closed.Sa!.ChildSas);
    }

    private static byte[] FlipFlags(byte[] datagram, IkeHeaderFlags flags)
    {
        var copy = (byte[])datagram.Clone();
        copy[19] ^= (byte)flags;
        return copy;
    }
}
