using System.Net;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

/// <summary>Build a payload, encode it in a message, decode it, compare.</summary>
public class PayloadRoundTripTests
{
    private static T RoundTrip<T>(T payload) where T : Payload
    {
        var message = new IkeMessage(SampleMessages.Header(ExchangeType.IkeAuth, IkeHeaderFlags.Initiator, 1), [payload]);
        var bytes = message.Encode();

        Assert.True(IkeMessage.TryDecode(bytes, out var decoded, out var error), error.ToString());
        var single = Assert.Single(decoded!.Payloads);
        Assert.Equal(payload.Type, single.Type);
        Assert.Equal(payload.BodyLength, single.BodyLength);
        Assert.Equal(bytes, decoded.Encode());
        return Assert.IsType<T>(single);
    }

    [Fact]
    [Trait("RFC", "7296 3.3")]
    public void Sa_payload_round_trips_with_proposals_spis_and_key_lengths()
    {
        var sa = new SaPayload([
            new Proposal(1, ProtocolId.Esp, [1, 2, 3, 4], [
                new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 128),
                new Transform(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128),
                new Transform(TransformType.KeyExchange, (ushort)DhGroup.Modp2048),
                new Transform(TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.Esn),
            ]),
            new Proposal(1, ProtocolId.Ah, [5, 6, 7, 8], [new Transform(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha1_96)]),
            new Proposal(2, ProtocolId.Esp, [9, 9, 9, 9], [new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.ChaCha20Poly1305)]),
        ]);

        var decoded = RoundTrip(sa);

        Assert.Equal(3, decoded.Proposals.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(sa.Proposals[i].Number, decoded.Proposals[i].Number);
            Assert.Equal(sa.Proposals[i].Protocol, decoded.Proposals[i].Protocol);
            Assert.Equal(sa.Proposals[i].Spi, decoded.Proposals[i].Spi);
            Assert.Equal(sa.Proposals[i].Transforms, decoded.Proposals[i].Transforms);
        }
    }

    [Fact]
    [Trait("RFC", "7296 3.4")]
    public void Ke_payload_round_trips()
    {
        var decoded = RoundTrip(new KePayload(DhGroup.Ecp384, SampleMessages.Filled(96, 0x44)));

        Assert.Equal(DhGroup.Ecp384, decoded.Group);
        Assert.Equal(SampleMessages.Filled(96, 0x44), decoded.Data);
    }

    [Theory]
    [Trait("RFC", "7296 3.5")]
    [InlineData(true, IdType.Ipv4Addr, "c0000201")]
    [InlineData(false, IdType.Ipv6Addr, "20010db8000000000000000000000001")]
    [InlineData(true, IdType.Fqdn, "77657374")]
    [InlineData(false, IdType.Rfc822Addr, "6140622e63")]
    [InlineData(true, IdType.KeyId, "01")]
    [InlineData(false, IdType.DerAsn1Dn, "300d310b300906035504061302555300")]
    public void Id_payload_round_trips(bool initiator, IdType idType, string dataHex)
    {
        var data = Convert.FromHexString(dataHex);
        var decoded = RoundTrip(new IdPayload(initiator, idType, data));

        Assert.Equal(initiator, decoded.IsInitiator);
        Assert.Equal(initiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder, decoded.Type);
        Assert.Equal(idType, decoded.IdType);
        Assert.Equal(data, decoded.Data);
    }

    [Fact]
    [Trait("RFC", "7296 3.6")]
    public void Cert_payload_round_trips()
    {
        var decoded = RoundTrip(new CertPayload(CertificateEncoding.X509Signature, SampleMessages.Filled(300, 0x30)));

        Assert.Equal(CertificateEncoding.X509Signature, decoded.Encoding);
        Assert.Equal(SampleMessages.Filled(300, 0x30), decoded.Data);
    }

    [Theory]
    [Trait("RFC", "7296 3.7")]
    [InlineData(0)]
    [InlineData(20)]
    [InlineData(60)]
    public void CertReq_payload_round_trips(int authorities)
    {
        var decoded = RoundTrip(new CertReqPayload(CertificateEncoding.X509Signature, SampleMessages.Filled(authorities, 0xab)));

        Assert.Equal(CertificateEncoding.X509Signature, decoded.Encoding);
        Assert.Equal(authorities, decoded.Authorities.Length);
    }

    [Fact]
    [Trait("RFC", "7296 3.8")]
    public void Auth_payload_round_trips()
    {
        var decoded = RoundTrip(new AuthPayload(AuthMethod.DigitalSignature, SampleMessages.Filled(72, 0x5a)));

        Assert.Equal(AuthMethod.DigitalSignature, decoded.Method);
        Assert.Equal(SampleMessages.Filled(72, 0x5a), decoded.Data);
    }

    [Theory]
    [Trait("RFC", "7296 3.9")]
    [InlineData(NoncePayload.MinLength)]
    [InlineData(32)]
    [InlineData(NoncePayload.MaxLength)]
    public void Nonce_payload_round_trips_at_the_allowed_lengths(int length)
    {
        var decoded = RoundTrip(new NoncePayload(SampleMessages.Filled(length, 0x6e)));

        Assert.Equal(length, decoded.Data.Length);
    }

    [Fact]
    [Trait("RFC", "7296 3.10")]
    public void Notify_payload_round_trips_with_spi_and_data()
    {
        var decoded = RoundTrip(new NotifyPayload(ProtocolId.Esp, [0xde, 0xad, 0xbe, 0xef], NotifyType.RekeySa, [1, 2]));

        Assert.Equal(ProtocolId.Esp, decoded.Protocol);
        Assert.Equal([0xde, 0xad, 0xbe, 0xef], decoded.Spi);
        Assert.Equal(NotifyType.RekeySa, decoded.NotifyType);
        Assert.Equal([1, 2], decoded.Data);
    }

    [Fact]
    [Trait("RFC", "7296 3.10")]
    public void Notify_payload_keeps_a_type_outside_the_enum()
    {
        var decoded = RoundTrip(new NotifyPayload((NotifyType)40000, SampleMessages.Filled(8, 1)));

        Assert.Equal(40000, (int)decoded.NotifyType);
        Assert.Empty(decoded.Spi);
    }

    [Fact]
    [Trait("RFC", "7296 3.11")]
    public void Delete_payload_round_trips_for_esp_and_ike()
    {
        var esp = RoundTrip(new DeletePayload(ProtocolId.Esp, [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]));
        var ike = RoundTrip(new DeletePayload(ProtocolId.Ike, []));

        Assert.Equal(ProtocolId.Esp, esp.Protocol);
        Assert.Equal([5, 6, 7, 8], esp.Spis[1]);
        Assert.Equal(3, esp.Spis.Count);
        Assert.Equal(ProtocolId.Ike, ike.Protocol);
        Assert.Empty(ike.Spis);
    }

    [Fact]
    [Trait("RFC", "7296 3.12")]
    public void Vendor_id_payload_round_trips()
    {
        var data = Convert.FromHexString(SampleMessages.StrongSwanVendorId);

        Assert.Equal(data, RoundTrip(new VendorIdPayload(data)).Data);
    }

    [Fact]
    [Trait("RFC", "7296 3.13")]
    public void Ts_payload_round_trips_ipv4_and_ipv6_selectors()
    {
        TrafficSelector[] selectors =
        [
            new(TsType.Ipv4AddrRange, 0, 0, 65535, IPAddress.Parse("192.0.2.0"), IPAddress.Parse("192.0.2.255")),
            new(TsType.Ipv6AddrRange, 58, 0x8000, 0x80ff, IPAddress.Parse("2001:db8::"), IPAddress.Parse("2001:db8::ffff:ffff")),
            new(TsType.Ipv4AddrRange, 6, 65535, 0, IPAddress.Parse("0.0.0.0"), IPAddress.Parse("255.255.255.255")),
        ];

        var initiator = RoundTrip(new TsPayload(true, selectors));
        var responder = RoundTrip(new TsPayload(false, selectors[..1]));

        Assert.Equal(PayloadType.TrafficSelectorInitiator, initiator.Type);
        Assert.Equal(selectors, initiator.Selectors);
        Assert.Equal(PayloadType.TrafficSelectorResponder, responder.Type);
        Assert.Equal(selectors[..1], responder.Selectors);
    }

    [Fact]
    [Trait("RFC", "7296 3.13.1")]
    public void Ts_payload_refuses_to_write_an_address_of_the_wrong_family()
    {
        var wrong = new TsPayload(true, [new TrafficSelector(TsType.Ipv4AddrRange, 0, 0, 65535, IPAddress.Parse("2001:db8::"), IPAddress.Parse("2001:db8::1"))]);

        Assert.Throws<InvalidOperationException>(() => PayloadChain.Encode([wrong]));
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_payload_round_trips_with_its_inner_first_type()
    {
        var decoded = RoundTrip(new EncryptedPayload(PayloadType.IdentificationInitiator, SampleMessages.Filled(80, 0xe5)));

        Assert.Equal(PayloadType.IdentificationInitiator, decoded.InnerFirst);
        Assert.Equal(SampleMessages.Filled(80, 0xe5), decoded.Body);
    }

    [Fact]
    [Trait("RFC", "7296 3.15")]
    public void Configuration_payload_round_trips()
    {
        var decoded = RoundTrip(new ConfigurationPayload(ConfigurationType.CfgReply, [
            new ConfigurationAttribute(1, [10, 0, 0, 5]),
            new ConfigurationAttribute(3, [10, 0, 0, 1]),
            new ConfigurationAttribute(8, []),
        ]));

        Assert.Equal(ConfigurationType.CfgReply, decoded.ConfigType);
        Assert.Equal(3, decoded.Attributes.Count);
        Assert.Equal(1, decoded.Attributes[0].AttributeType);
        Assert.Equal([10, 0, 0, 5], decoded.Attributes[0].Value);
        Assert.Empty(decoded.Attributes[2].Value);
    }

    [Fact]
    [Trait("RFC", "7296 3.15.1")]
    public void Configuration_attribute_reserved_bit_is_ignored_on_receipt()
    {
        var data = SampleMessages.Hex("00 00 000c 01 000000 8001 0000");

        Assert.True(PayloadChain.TryRead(data, PayloadType.Configuration, out var payloads, out _));
        Assert.Equal(1, Assert.IsType<ConfigurationPayload>(payloads[0]).Attributes[0].AttributeType);
    }

    [Theory]
    [Trait("RFC", "7296 3.16")]
    [InlineData("0107000501")]
    [InlineData("02070009016a6f686e")]
    [InlineData("03070004")]
    [InlineData("04070004")]
    public void Eap_payload_round_trips(string messageHex)
    {
        var eap = Convert.FromHexString(messageHex);
        var decoded = RoundTrip(new EapPayload(eap));

        Assert.Equal(eap, decoded.EapMessage);
        Assert.Equal(eap[0], decoded.Code);
        Assert.Equal(7, decoded.Identifier);
        Assert.Equal(eap.Length > 4 ? eap[4] : null, decoded.EapType);
    }

    [Fact]
    [Trait("RFC", "7296 2.5")]
    public void Unknown_non_critical_payload_round_trips()
    {
        var decoded = RoundTrip(new UnknownPayload((PayloadType)200, [1, 2, 3]));

        Assert.Equal((PayloadType)200, decoded.Type);
        Assert.Equal([1, 2, 3], decoded.Body);
    }

    [Fact]
    [Trait("RFC", "7296 3.2")]
    public void Critical_bit_on_a_known_payload_is_kept()
    {
        var decoded = RoundTrip(new NoncePayload(SampleMessages.Filled(16, 1)) { Critical = true });

        Assert.True(decoded.Critical);
    }

    [Fact]
    [Trait("RFC", "7296 3")]
    public void Whole_messages_round_trip()
    {
        foreach (var (name, bytes) in SampleMessages.All())
        {
            Assert.True(IkeMessage.TryDecode(bytes, out var message, out var error), $"{name}: {error}");
            Assert.Equal(bytes, message!.Encode());
        }
    }

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Encrypted_plaintext_chain_round_trips()
    {
        var inner = SampleMessages.IkeAuthRequestInner();
        var bytes = PayloadChain.Encode(inner);

        Assert.True(PayloadChain.TryRead(bytes, PayloadChain.FirstType(inner), out var decoded, out var error, insideEncrypted: true), error.ToString());
        Assert.Equal(inner.Select(p => p.Type), decoded.Select(p => p.Type));
        Assert.Equal(bytes, PayloadChain.Encode(decoded));
        var message = new IkeMessage(default, decoded);
        Assert.Equal("west.example.net"u8.ToArray(), message.Get<IdPayload>()!.Data);
        Assert.Equal(2, message.GetAll<TsPayload>().Count());
        Assert.NotNull(message.GetNotify(NotifyType.InitialContact));
        Assert.Null(message.GetNotify(NotifyType.Cookie));
        Assert.Null(message.Get<KePayload>());
    }

    [Fact]
    public void Payload_chain_helpers_handle_the_empty_chain()
    {
        Assert.Equal(PayloadType.NoNextPayload, PayloadChain.FirstType([]));
        Assert.Equal(0, PayloadChain.GetLength([]));
        Assert.Empty(PayloadChain.Encode([]));
        Assert.True(PayloadChain.TryRead([], PayloadType.NoNextPayload, out var payloads, out _));
        Assert.Empty(payloads);
    }
}
