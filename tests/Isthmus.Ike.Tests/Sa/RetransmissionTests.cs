using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Message IDs, the window of one, and retransmission (RFC 7296 §2.1-§2.3). The initiator of an
/// exchange retransmits until it gets the response; the responder answers a retransmitted request
/// from its cache, byte for byte, without processing it again:
/// <code>
/// HDR(IKE_AUTH, 1), SK {IDi, AUTH, SAi2, TSi, TSr}  --&gt;
///                                 &lt;--  HDR(IKE_AUTH, 1), SK {IDr, AUTH, SAr2, TSi, TSr}   (lost)
/// HDR(IKE_AUTH, 1), SK {...}  (same bytes, after 4 s)  --&gt;
///                                 &lt;--  HDR(IKE_AUTH, 1), SK {...}  (same bytes, from cache)
/// </code>
/// </summary>
public class RetransmissionTests
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    private static SaPair Established()
    {
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        return pair;
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Lost_IKE_AUTH_response_is_resent_from_cache_without_a_second_Child_SA()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var request = pair.DeliverOne(); // IKE_AUTH request: the responder establishes
        var lost = pair.Wire.Dequeue().Datagram;
        var responder = pair.ResponderSa!;
        var child = Assert.Single(responder.ChildSas);

        pair.Advance(TimeSpan.FromSeconds(4) - Millisecond);
        Assert.Empty(pair.Wire);
        pair.Advance(Millisecond);
        var retransmitted = Assert.Single(pair.Wire).Datagram;
        Assert.Equal(request.Data, retransmitted.Data);

        pair.DeliverOne();
        var resent = Assert.Single(pair.Wire).Datagram;
        Assert.Equal(lost.Data, resent.Data);
        Assert.Same(child, Assert.Single(responder.ChildSas));
        Assert.Single(pair.ResponderEvents.OfType<ChildSaEstablished>());
        Assert.Single(pair.ResponderEvents.OfType<IkeSaEstablished>());

        pair.Run();
        var initiatorChild = Assert.Single(pair.InitiatorSa!.ChildSas);
        Assert.Equal(child.SpiIn, initiatorChild.SpiOut);
        Assert.Equal(child.SpiOut, initiatorChild.SpiIn);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Lost_IKE_SA_INIT_response_is_resent_from_cache_with_the_same_SPI_and_nonce()
    {
        var pair = SaPair.Standard();
        pair.Start();
        pair.DeliverOne();
        var lost = pair.Wire.Dequeue().Datagram;

        pair.Advance(TimeSpan.FromSeconds(4));
        pair.DeliverOne(); // the retransmitted IKE_SA_INIT request

        Assert.Equal(lost.Data, Assert.Single(pair.Wire).Datagram.Data);
        Assert.Single(pair.Responder.Sas);
        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Duplicated_request_is_answered_from_cache_and_the_second_response_dropped()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var request = pair.Wire.Peek();
        pair.Wire.Enqueue(request); // the network duplicates the IKE_AUTH request

        pair.DeliverOne();
        pair.DeliverOne();
        var responses = pair.Wire.ToList();
        Assert.Equal(2, responses.Count);
        Assert.Equal(responses[0].Datagram.Data, responses[1].Datagram.Data);
        Assert.Single(pair.ResponderSa!.ChildSas);

        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Single(pair.InitiatorSa.ChildSas);
        Assert.Equal(1, pair.InitiatorSa.DroppedMessages); // the duplicate response matches no outstanding request
    }

    [Fact]
    [Trait("RFC", "7296 2.1")]
    public void Same_message_ID_with_different_content_is_dropped_not_answered_from_cache()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;
        var first = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2, []));
        Assert.Single(first.Datagrams);

        var second = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2,
            [new DeletePayload(ProtocolId.Ike, [])]));

        Assert.Empty(second.Datagrams);
        Assert.Equal(1, responder.DroppedMessages);
        Assert.Equal(IkeSaState.Established, responder.State);
    }

    [Theory]
    [Trait("RFC", "7296 2.3")]
    [InlineData(3u)]
    [InlineData(5u)]
    [InlineData(uint.MaxValue)]
    public void Request_ahead_of_the_window_is_dropped_and_counted(uint messageId)
    {
        // The window is 1: after IKE_AUTH (ID 1) the next request must be ID 2.
        var pair = Established();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, messageId,
            [new DeletePayload(ProtocolId.Ike, [])]));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, responder.DroppedMessages);
        Assert.Contains(output.Events, e => e is MessageDropped);
        Assert.Equal(IkeSaState.Established, responder.State);

        // The window did not move: ID 2 is still the one expected.
        Assert.Single(pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2, [])).Datagrams);
    }

    [Fact]
    [Trait("RFC", "7296 2.3")]
    public void Old_request_behind_the_window_is_dropped()
    {
        var pair = Established();

        var output = pair.SendToResponder(SkCodec.Request(pair.InitiatorSa!, ExchangeType.Informational, 0, []));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, pair.ResponderSa!.DroppedMessages);
    }

    [Theory]
    [Trait("RFC", "7296 2.2")]
    [InlineData(ExchangeType.Informational, 3u)]
    [InlineData(ExchangeType.Informational, 1u)]
    [InlineData(ExchangeType.CreateChildSa, 2u)]
    public void Response_that_matches_no_outstanding_request_is_dropped(ExchangeType exchange, uint messageId)
    {
        // DPD: HDR(INFORMATIONAL, 2), SK {}  --&gt;   &lt;-- forged HDR(exchange, messageId, R), SK {}
        var pair = Established();
        pair.Advance(pair.InitiatorConfig.DpdDelay);
        var initiator = pair.InitiatorSa!;

        var output = pair.SendToInitiator(SkCodec.Response(initiator, exchange, messageId, []));

        Assert.Empty(output.Datagrams);
        Assert.Equal(1, initiator.DroppedMessages);
        pair.Run();
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.4")]
    public void Retransmissions_back_off_exponentially_and_the_SA_closes_as_unreachable()
    {
        // Defaults: 4 s, then ×1.8 per try (strongSwan's), 5 retransmissions, then give up.
        var pair = SaPair.Standard();
        var sa = pair.Start();
        var request = pair.Wire.Dequeue().Datagram.Data;
        double[] delays = [4, 7.2, 12.96, 23.328, 41.9904];

        foreach (var delay in delays)
        {
            pair.Advance(TimeSpan.FromSeconds(delay) - Millisecond);
            Assert.Empty(pair.Wire);
            pair.Advance(Millisecond);
            Assert.Equal(request, Assert.Single(pair.Wire).Datagram.Data);
            pair.Wire.Clear();
        }

        pair.Advance(TimeSpan.FromSeconds(75.58272) - Millisecond);
        Assert.NotEqual(IkeSaState.Closed, sa.State);
        Assert.DoesNotContain(pair.InitiatorEvents, e => e is IkeSaClosed);
        pair.Advance(Millisecond);

        Assert.Empty(pair.Wire);
        Assert.Equal(IkeSaState.Closed, sa.State);
        Assert.Empty(pair.Initiator.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.PeerUnreachable });
    }
}
