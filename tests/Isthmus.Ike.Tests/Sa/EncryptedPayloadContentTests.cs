using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// What may sit inside SK (RFC 7296 §2.5, §3.2, §3.14) and which payloads each exchange allows
/// (§1.2, §3.1). The IKE_AUTH request is decrypted, edited and sealed again with the real keys, so
/// the responder sees a genuine, verifiable message with odd contents:
/// <code>
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr, U(250)}     --&gt;   &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// HDR, SK {IDi, AUTH, SAi2, TSi, TSr, U(250, C)}  --&gt;   &lt;--  HDR, SK {N(UNSUPPORTED_CRITICAL_PAYLOAD, 250)}
/// HDR, SK {IDi, AUTH, ..., SK {...}}              --&gt;   &lt;--  HDR, SK {N(INVALID_SYNTAX)}
/// HDR, SK {IDi, AUTH, AUTH, ...}                  --&gt;   &lt;--  HDR, SK {N(INVALID_SYNTAX)}
/// </code>
/// </summary>
public class EncryptedPayloadContentTests
{
    private const PayloadType Unknown = (PayloadType)250;

    private static (SaPair Pair, IkeSa Initiator, List<Payload> ResponseInner) AuthWith(Func<List<Payload>, IReadOnlyList<Payload>> edit)
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var initiator = pair.InitiatorSa!;
        pair.DeliverOne(request => SkCodec.Rewrite(initiator, request, edit));
        var response = Assert.Single(pair.Wire).Datagram.Data;
        var (header, inner) = SkCodec.Open(initiator, response);
        Assert.Equal(ExchangeType.IkeAuth, header.Exchange);
        Assert.True(header.IsResponse);
        pair.Run();
        return (pair, initiator, inner);
    }

    private static void AssertRefusedWith(SaPair pair, List<Payload> inner, NotifyType notify, byte[]? data = null)
    {
        var n = Assert.IsType<NotifyPayload>(Assert.Single(inner));
        Assert.Equal(notify, n.NotifyType);
        if (data is not null) Assert.Equal(data, n.Data);
        Assert.Empty(pair.Responder.Sas);
        Assert.Empty(pair.Initiator.Sas);
        Assert.DoesNotContain(pair.ResponderEvents, e => e is IkeSaEstablished or ChildSaEstablished);
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.Failed } c && c.Notify == notify);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_non_critical_payload_inside_SK_is_ignored()
    {
        var (pair, initiator, inner) = AuthWith(p => [.. p, new UnknownPayload(Unknown, [1, 2, 3, 4])]);

        Assert.Contains(inner, p => p is AuthPayload);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Single(pair.ResponderSa.ChildSas);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_critical_payload_inside_SK_gets_an_encrypted_UNSUPPORTED_CRITICAL_PAYLOAD_naming_its_type()
    {
        var (pair, _, inner) = AuthWith(p => [.. p.Take(2), new UnknownPayload(Unknown, [1, 2, 3, 4]) { Critical = true }, .. p.Skip(2)]);

        AssertRefusedWith(pair, inner, NotifyType.UnsupportedCriticalPayload, [(byte)Unknown]);
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void SK_nested_inside_SK_gets_INVALID_SYNTAX()
    {
        var (pair, _, inner) = AuthWith(p => [.. p, new EncryptedPayload(PayloadType.Notify, new byte[48])]);

        AssertRefusedWith(pair, inner, NotifyType.InvalidSyntax);
    }

    [Fact]
    [Trait("RFC", "7296 3.8")]
    public void Two_AUTH_payloads_get_INVALID_SYNTAX()
    {
        var (pair, _, inner) = AuthWith(p => [.. p, p.OfType<AuthPayload>().Single()]);

        AssertRefusedWith(pair, inner, NotifyType.InvalidSyntax);
    }

    [Theory]
    [Trait("RFC", "7296 1.2")]
    [InlineData(PayloadType.SecurityAssociation)]
    [InlineData(PayloadType.IdentificationInitiator)]
    [InlineData(PayloadType.TrafficSelectorInitiator)]
    public void Duplicate_singleton_payload_gets_INVALID_SYNTAX(PayloadType type)
    {
        var (pair, _, inner) = AuthWith(p => [.. p, p.First(x => x.Type == type)]);

        AssertRefusedWith(pair, inner, NotifyType.InvalidSyntax);
    }

    [Theory]
    [Trait("RFC", "7296 1.2")]
    [InlineData(PayloadType.KeyExchange)]
    [InlineData(PayloadType.Nonce)]
    [InlineData(PayloadType.Delete)]
    public void Payload_not_allowed_in_IKE_AUTH_gets_INVALID_SYNTAX(PayloadType type)
    {
        Payload extra = type switch
        {
            PayloadType.KeyExchange => new KePayload(DhGroup.Ecp384, SkCodec.PublicValue(DhGroup.Ecp384)),
            PayloadType.Nonce => new NoncePayload(new byte[32]),
            _ => new DeletePayload(ProtocolId.Ike, []),
        };
        var (pair, _, inner) = AuthWith(p => [.. p, extra]);

        AssertRefusedWith(pair, inner, NotifyType.InvalidSyntax);
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void Unencrypted_payload_beside_SK_is_dropped()
    {
        // HDR, N(...), SK {...}: every IKE_AUTH payload belongs inside SK; a clear one in front of it
        // is not covered by the ICV's guarantees of origin and the message is dropped.
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        pair.DeliverOne(request =>
        {
            Assert.True(IkeMessage.TryDecode(request, out var m, out _));
            return (m! with { Payloads = [new NotifyPayload(NotifyType.InitialContact), .. m.Payloads] }).Encode();
        });

        Assert.Empty(pair.Wire);
        Assert.Equal(1, pair.ResponderSa!.DroppedMessages);
        Assert.Equal(IkeSaState.Connecting, pair.ResponderSa.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.4")]
    public void Payload_not_allowed_in_INFORMATIONAL_gets_INVALID_SYNTAX_and_keeps_the_IKE_SA()
    {
        // HDR, SK {SA}  --&gt;   &lt;--  HDR, SK {N(INVALID_SYNTAX)}; an established SA survives a bad request.
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        var initiator = pair.InitiatorSa!;

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.Informational, 2,
            [new NoncePayload(new byte[32])]));

        var (_, inner) = SkCodec.Open(initiator, Assert.Single(output.Datagrams).Data);
        Assert.Equal(NotifyType.InvalidSyntax, Assert.IsType<NotifyPayload>(Assert.Single(inner)).NotifyType);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.3")]
    public void CREATE_CHILD_SA_without_an_SA_payload_gets_INVALID_SYNTAX_and_changes_nothing()
    {
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        var initiator = pair.InitiatorSa!;
        var child = Assert.Single(pair.ResponderSa!.ChildSas);

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.CreateChildSa, 2,
            [new NoncePayload(new byte[32])]));

        var (header, inner) = SkCodec.Open(initiator, Assert.Single(output.Datagrams).Data);
        Assert.Equal(2u, header.MessageId);
        Assert.Equal(NotifyType.InvalidSyntax, Assert.IsType<NotifyPayload>(Assert.Single(inner)).NotifyType);
        Assert.Same(child, Assert.Single(pair.ResponderSa!.ChildSas));
        Assert.Equal(IkeSaState.Established, pair.ResponderSa.State);
    }

    [Fact]
    [Trait("RFC", "7296 1.3.3")]
    public void Rekey_of_an_unknown_Child_SA_gets_CHILD_SA_NOT_FOUND_and_changes_nothing()
    {
        // HDR, SK {N(REKEY_SA, unknown SPI), SA, Ni, TSi, TSr}  -->  <--  HDR, SK {N(CHILD_SA_NOT_FOUND)}
        var pair = SaPair.Standard();
        pair.Start();
        pair.Run();
        var initiator = pair.InitiatorSa!;
        var child = Assert.Single(pair.ResponderSa!.ChildSas);
        var proposal = pair.InitiatorConfig.EspProposals[0] with { Spi = [0x11, 0x22, 0x33, 0x44] };

        var output = pair.SendToResponder(SkCodec.Request(initiator, ExchangeType.CreateChildSa, 2,
        [
            new NotifyPayload(ProtocolId.Esp, [0xde, 0xad, 0xbe, 0xef], NotifyType.RekeySa, []),
            new SaPayload([proposal]),
            new NoncePayload(new byte[32]),
            new TsPayload(true, pair.InitiatorConfig.LocalTs),
            new TsPayload(false, pair.InitiatorConfig.RemoteTs),
        ]));

        var (_, inner) = SkCodec.Open(initiator, Assert.Single(output.Datagrams).Data);
        Assert.Equal(NotifyType.ChildSaNotFound, Assert.IsType<NotifyPayload>(Assert.Single(inner)).NotifyType);
        Assert.Same(child, Assert.Single(pair.ResponderSa!.ChildSas));
    }
}
