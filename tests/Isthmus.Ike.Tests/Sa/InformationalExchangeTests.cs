using System.Buffers.Binary;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// INFORMATIONAL exchanges and SA lifetime (RFC 7296 §1.4, §2.4, §2.6):
/// <code>
/// HDR, SK {}                 --&gt;   &lt;--  HDR, SK {}                   liveness check (DPD)
/// HDR, SK {D(ESP, SPIi)}     --&gt;   &lt;--  HDR, SK {D(ESP, SPIr)}       Child SA pair deleted
/// HDR, SK {D(IKE)}           --&gt;   &lt;--  HDR, SK {}                   IKE SA and its Child SAs deleted
/// </code>
/// </summary>
public class InformationalExchangeTests
{
    private static SaPair Established()
    {
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
        return pair;
    }

    [Fact]
    [Trait("RFC", "7296 2.4")]
    public void Empty_INFORMATIONAL_request_is_answered_with_an_empty_response()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2, []));

        var (header, inner) = SkCodec.Open(initiator, Assert.Single(output.Datagrams).Data);
        Assert.True(header.IsResponse);
        Assert.False(header.IsFromInitiator);
        Assert.Equal(ExchangeType.Informational, header.Exchange);
        Assert.Equal(2u, header.MessageId);
        Assert.Empty(inner);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.4")]
    public void Idle_SA_sends_DPD_after_DpdDelay_and_stays_up_when_answered()
    {
        var pair = Established();
        var delay = pair.InitiatorConfig.DpdDelay;

        pair.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.Empty(pair.Wire);
        pair.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, pair.Wire.Count); // both ends were idle for DpdDelay
        Assert.All(pair.Wire, w => Assert.Equal(ExchangeType.Informational, (ExchangeType)w.Datagram.Data[18]));
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
        Assert.Equal(0, pair.InitiatorSa.DroppedMessages + pair.ResponderSa.DroppedMessages);
        Assert.Empty(pair.Wire);
    }

    [Fact]
    [Trait("RFC", "7296 2.4")]
    public void Peer_that_stops_answering_DPD_is_declared_unreachable()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;

        // DPD after 30 s, then 4 + 7.2 + 12.96 + 23.328 + 41.99 + 75.58 s of unanswered retransmissions
        // (each a little later here, as the timer is only looked at once a second).
        for (var second = 0; second < 30 + 170; second++)
        {
            pair.Advance(TimeSpan.FromSeconds(1));
            pair.Wire.Clear();
        }

        Assert.Equal(IkeSaState.Closed, initiator.State);
        Assert.Equal(IkeSaState.Closed, responder.State);
        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.PeerUnreachable });
        Assert.Contains(pair.InitiatorEvents, e => e is ChildSaDeleted { ByPeer: false });
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public void Deleting_a_Child_SA_removes_it_on_both_sides_and_the_response_names_the_peers_SPI()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;
        var ci = Assert.Single(initiator.ChildSas);
        var cr = Assert.Single(responder.ChildSas);

        pair.InitiatorDoes(o => initiator.DeleteChild(ci, o));
        var request = SkCodec.Open(initiator, pair.Wire.Peek().Datagram.Data).Payloads;
        var d = Assert.IsType<DeletePayload>(Assert.Single(request));
        Assert.Equal(ProtocolId.Esp, d.Protocol);
        Assert.Equal(ci.SpiIn, BinaryPrimitives.ReadUInt32BigEndian(Assert.Single(d.Spis)));

        pair.DeliverOne();
        Assert.Empty(responder.ChildSas);
        Assert.Contains(pair.ResponderEvents, e => e is ChildSaDeleted { ByPeer: true } x && x.Child == cr);
        var response = SkCodec.Open(initiator, pair.Wire.Peek().Datagram.Data).Payloads;
        var answer = Assert.IsType<DeletePayload>(Assert.Single(response));
        Assert.Equal(ProtocolId.Esp, answer.Protocol);
        Assert.Equal(cr.SpiIn, BinaryPrimitives.ReadUInt32BigEndian(Assert.Single(answer.Spis)));
        Assert.Equal(ci.SpiOut, cr.SpiIn);

        pair.Run();
        Assert.Empty(initiator.ChildSas);
        Assert.Contains(pair.InitiatorEvents, e => e is ChildSaDeleted { ByPeer: false } x && x.Child == ci);
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Equal(IkeSaState.Established, responder.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public void Delete_naming_an_unknown_Child_SPI_gets_an_empty_response_and_changes_nothing()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2,
            [new DeletePayload(ProtocolId.Esp, [[0xde, 0xad, 0xbe, 0xef]])]));

        Assert.Empty(SkCodec.Open(initiator, Assert.Single(output.Datagrams).Data).Payloads);
        Assert.Single(pair.ResponderSa!.ChildSas);
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public void Deleting_the_IKE_SA_closes_both_ends_with_their_Child_SAs()
    {
        var pair = Established();
        var initiator = pair.InitiatorSa!;
        var responder = pair.ResponderSa!;

        pair.InitiatorDoes(initiator.Delete);
        Assert.Equal(IkeSaState.Deleting, initiator.State);
        pair.DeliverOne();
        Assert.Equal(IkeSaState.Closed, responder.State);
        Assert.Empty(SkCodec.Open(initiator, pair.Wire.Peek().Datagram.Data).Payloads);
        pair.Run();

        Assert.Equal(IkeSaState.Closed, initiator.State);
        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.DeletedLocally });
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.DeletedByPeer });
        Assert.Contains(pair.InitiatorEvents, e => e is ChildSaDeleted);
        Assert.Contains(pair.ResponderEvents, e => e is ChildSaDeleted { ByPeer: true });
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public void Responder_may_delete_the_IKE_SA_too()
    {
        var pair = Established();
        var responder = pair.ResponderSa!;

        pair.ResponderDoes(responder.Delete);
        pair.Run();

        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.DeletedByPeer });
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.DeletedLocally });
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Responder_drops_a_half_open_SA_whose_IKE_AUTH_never_arrives()
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var responder = pair.ResponderSa!;
        var timeout = new IkeSaOptions().HalfOpenTimeout;

        for (var elapsed = TimeSpan.Zero; elapsed < timeout - TimeSpan.FromSeconds(1); elapsed += TimeSpan.FromSeconds(1))
        {
            pair.Wire.Clear(); // every IKE_AUTH (re)transmission is lost
            pair.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(IkeSaState.Connecting, responder.State);
        pair.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(IkeSaState.Closed, responder.State);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.HalfOpenTimeout });
    }
}
