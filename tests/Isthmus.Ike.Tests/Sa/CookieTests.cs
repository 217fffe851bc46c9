using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Stateless cookies under load (RFC 7296 §2.6): above the half-open threshold the responder
/// keeps no state for a request until the initiator proves it receives at its address:
/// <code>
/// HDR(A,0), SAi1, KEi, Ni               --&gt;
///                                   &lt;--  HDR(A,0), N(COOKIE)
/// HDR(A,0), N(COOKIE), SAi1, KEi, Ni    --&gt;
///                                   &lt;--  HDR(A,B), SAr1, KEr, Nr
/// </code>
/// </summary>
public class CookieTests
{
    private const string Ike = "aes256gcm16-prfsha384-ecp384";

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Above_the_threshold_a_request_without_cookie_gets_N_COOKIE_and_creates_no_state()
    {
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 2 });
        Assert.Single(pair.SendToResponder(SkCodec.InitRequest(Ike, DhGroup.Ecp384)).Datagrams);
        Assert.Single(pair.SendToResponder(SkCodec.InitRequest(Ike, DhGroup.Ecp384)).Datagrams);
        Assert.Equal(2, pair.Responder.Sas.Count);

        var output = pair.SendToResponder(SkCodec.InitRequest(Ike, DhGroup.Ecp384));

        var response = Assert.Single(output.Datagrams).Data;
        var cookie = SkCodec.ClearNotify(response);
        Assert.Equal(NotifyType.Cookie, cookie.NotifyType);
        Assert.InRange(cookie.Data.Length, 1, 64);
        Assert.True(IkeMessage.TryDecode(response, out var m, out _));
        Assert.Equal(0UL, m!.Header.ResponderSpi);
        Assert.Equal(2, pair.Responder.Sas.Count);
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Below_the_threshold_no_cookie_is_asked_for()
    {
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 2 });
        pair.Start();
        pair.DeliverOne();

        Assert.Null(IkeMessageOf(pair.Wire.Peek().Datagram.Data).GetNotify(NotifyType.Cookie));
        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Initiator_retry_with_the_cookie_succeeds_while_the_responder_is_loaded()
    {
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 1 });
        pair.SendToResponder(SkCodec.InitRequest(Ike, DhGroup.Ecp384)); // one half-open SA from elsewhere
        pair.Start();

        pair.DeliverOne(); // cookie-less request
        Assert.Equal(NotifyType.Cookie, SkCodec.ClearNotify(pair.Wire.Peek().Datagram.Data).NotifyType);
        pair.DeliverOne(); // N(COOKIE) to the initiator, which retries
        var retry = IkeMessageOf(pair.Wire.Peek().Datagram.Data);
        Assert.Equal(NotifyType.Cookie, Assert.IsType<NotifyPayload>(retry.Payloads[0]).NotifyType);
        Assert.Equal(0u, retry.Header.MessageId);
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(2, pair.Responder.Sas.Count);
    }

    public static TheoryData<string> WrongCookies => ["flipped octet", "truncated", "from another request", "not first"];

    [Theory]
    [Trait("RFC", "7296 2.6")]
    [MemberData(nameof(WrongCookies))]
    public void Wrong_cookie_gets_a_fresh_N_COOKIE_and_the_genuine_retry_then_succeeds(string which)
    {
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 0 });
        pair.Start();
        pair.DeliverOne();
        var issued = SkCodec.ClearNotify(pair.Wire.Peek().Datagram.Data).Data;
        pair.DeliverOne(); // the initiator now sends N(COOKIE), SAi1, KEi, Ni

        var otherCookie = SkCodec.ClearNotify(Assert.Single(
            pair.SendToResponder(SkCodec.InitRequest(Ike, DhGroup.Ecp384)).Datagrams).Data).Data;
        pair.DeliverOne(request =>
        {
            var m = IkeMessageOf(request);
            var rest = m.Payloads.Skip(1).ToList();
            List<Payload> payloads = which switch
            {
                "flipped octet" => [new NotifyPayload(NotifyType.Cookie, Flip(issued, issued.Length - 1)), .. rest],
                "truncated" => [new NotifyPayload(NotifyType.Cookie, issued[..^1]), .. rest],
                "from another request" => [new NotifyPayload(NotifyType.Cookie, otherCookie), .. rest],
                _ => [.. rest, m.Payloads[0]],
            };
            return (m with { Payloads = payloads }).Encode();
        });

        var answer = SkCodec.ClearNotify(pair.Wire.Dequeue().Datagram.Data);
        Assert.Equal(NotifyType.Cookie, answer.NotifyType);
        Assert.Equal(issued, answer.Data); // same Ni, address and SPIi, same secret: the same cookie
        Assert.Empty(pair.Responder.Sas);

        pair.Advance(TimeSpan.FromSeconds(4)); // the initiator retransmits its genuine retry
        pair.Run();
        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Cookie_is_bound_to_the_initiator_address()
    {
        // The same retry from another address is a spoofer that never received the cookie.
        var pair = new SaPair(
            SaPair.Config("hq", "hq.example.com", "branch.example.com", Ike, peer: SaPair.ResponderEndpoint.Address),
            SaPair.Config("branch", "branch.example.com", "hq.example.com", Ike, localTs: "10.2.0.0/16", remoteTs: "10.1.0.0/16",
                peer: null, start: Isthmus.Ike.Config.StartAction.Respond),
            new IkeSaOptions { CookieThreshold = 0 });
        pair.Start();
        pair.DeliverOne();
        pair.DeliverOne();
        var retry = pair.Wire.Dequeue().Datagram.Data;

        var spoofed = pair.SendToResponder(retry, from: new System.Net.IPEndPoint(System.Net.IPAddress.Parse("198.51.100.7"), 500));

        Assert.Equal(NotifyType.Cookie, SkCodec.ClearNotify(Assert.Single(spoofed.Datagrams).Data).NotifyType);
        Assert.Empty(pair.Responder.Sas);

        var genuine = pair.SendToResponder(retry);

        Assert.NotNull(IkeMessageOf(Assert.Single(genuine.Datagrams).Data).Get<SaPayload>());
        Assert.Single(pair.Responder.Sas);
    }

    private static IkeMessage IkeMessageOf(byte[] datagram)
    {
        Assert.True(IkeMessage.TryDecode(datagram, out var m, out var error), error.ToString());
        return m!;
    }

    private static byte[] Flip(byte[] data, int index)
    {
        var copy = (byte[])data.Clone();
        copy[index] ^= 0x01;
        return copy;
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void A_repeated_COOKIE_answering_a_retransmission_is_dropped_and_the_SA_still_comes_up()
    {
        // HDR(A,0), SAi1, KEi, Ni  -->           (sent, then retransmitted before the answer arrives)
        //                          <--  HDR(A,0), N(COOKIE)     (twice)
        // HDR(A,0), N(COOKIE), SAi1, KEi, Ni  -->
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 0 });
        pair.Start();
        pair.DeliverOne();                       // first request -> N(COOKIE) on the wire
        pair.Advance(TimeSpan.FromSeconds(4));   // the initiator retransmits its cookie-less request
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
        Assert.Contains(pair.InitiatorEvents, e => e is MessageDropped d && d.Reason.Contains("repeated COOKIE"));
    }
}
