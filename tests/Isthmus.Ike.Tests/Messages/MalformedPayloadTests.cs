using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

/// <summary>
/// Every malformed field or length the codec refuses, one case each: the body is wrapped in a
/// correct generic payload header, so the failure comes from the body parser.
/// </summary>
public class MalformedPayloadTests
{
    // Well-formed pieces reused by the cases below.
    private const string Ipv4Selector = "07 00 0010 0000 ffff 0a000000 0a0000ff";
    private const string TransformEsn = "00 00 0008 05 00 0000";

    private static ParseError Parse(PayloadType type, string bodyHex)
    {
        var body = SampleMessages.Hex(bodyHex);
        var data = new byte[Payload.HeaderSize + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)data.Length);
        body.CopyTo(data, Payload.HeaderSize);

        Assert.False(PayloadChain.TryRead(data, type, out var payloads, out var error), $"{type} body {bodyHex} was accepted");
        Assert.DoesNotContain(payloads, p => p.Type == type);
        Assert.Equal(type, error.Payload);
        Assert.Equal(NotifyType.InvalidSyntax, error.Notify);
        Assert.False(string.IsNullOrWhiteSpace(error.Reason));
        return error;
    }

    private static T ParseValid<T>(PayloadType type, string bodyHex) where T : Payload
    {
        var body = SampleMessages.Hex(bodyHex);
        var data = new byte[Payload.HeaderSize + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)data.Length);
        body.CopyTo(data, Payload.HeaderSize);

        Assert.True(PayloadChain.TryRead(data, type, out var payloads, out var error), error.ToString());
        return Assert.IsType<T>(Assert.Single(payloads));
    }

    [Theory]
    [Trait("RFC", "7296 3.3")]
    [InlineData("", ParseErrorCode.InvalidValue, "no proposals")]
    [InlineData("00 00 0008 01 01 00", ParseErrorCode.InvalidLength, "proposal header cut")]
    [InlineData("00 00 0007 01 01 00 01 " + TransformEsn, ParseErrorCode.InvalidLength, "proposal length below header")]
    [InlineData("00 00 000b 01 03 04 01 00000001 " + TransformEsn, ParseErrorCode.InvalidLength, "proposal length below header + SPI")]
    [InlineData("00 00 0020 01 03 00 01 " + TransformEsn, ParseErrorCode.InvalidLength, "proposal length overruns SA")]
    [InlineData("00 00 0010 01 03 00 01 " + TransformEsn + " 02 00 0010 01 03 00 01 " + TransformEsn, ParseErrorCode.InvalidSubstructure, "last proposal followed by another")]
    [InlineData("02 00 0010 01 03 00 01 " + TransformEsn, ParseErrorCode.InvalidSubstructure, "more proposals announced, none follow")]
    [InlineData("01 00 0010 01 03 00 01 " + TransformEsn, ParseErrorCode.InvalidSubstructure, "proposal Last Substruc 1")]
    [InlineData("03 00 0010 01 03 00 01 " + TransformEsn + " 00 00 0010 02 03 00 01 " + TransformEsn, ParseErrorCode.InvalidSubstructure, "proposal Last Substruc 3")]
    [InlineData("00 00 0010 00 03 00 01 " + TransformEsn, ParseErrorCode.InvalidValue, "first proposal numbered 0")]
    [InlineData("02 00 0010 01 03 00 01 " + TransformEsn + " 00 00 0010 03 03 00 01 " + TransformEsn, ParseErrorCode.InvalidValue, "proposal number skips")]
    [InlineData("02 00 0010 02 03 00 01 " + TransformEsn + " 00 00 0010 01 03 00 01 " + TransformEsn, ParseErrorCode.InvalidValue, "proposal numbers out of order")]
    [InlineData("00 00 0008 01 03 00 00", ParseErrorCode.InvalidValue, "proposal with no transforms")]
    [InlineData("00 00 0010 01 03 00 02 " + TransformEsn, ParseErrorCode.InvalidSubstructure, "two transforms declared, first marked last")]
    [InlineData("00 00 0018 01 03 00 02 03 00 0008 05 00 0000 03 00 0008 05 00 0001", ParseErrorCode.InvalidSubstructure, "second transform Last Substruc wrong")]
    [InlineData("00 00 0010 01 03 00 02 03 00 0008 05 00 0000", ParseErrorCode.InvalidLength, "two transforms declared, room for one")]
    [InlineData("00 00 0010 01 03 00 01 03 00 0008 05 00 0000", ParseErrorCode.InvalidSubstructure, "only transform marked as not last")]
    [InlineData("00 00 0010 01 03 00 01 00 00 0007 05 00 0000", ParseErrorCode.InvalidLength, "transform length below 8")]
    [InlineData("00 00 0010 01 03 00 01 00 00 0009 05 00 0000", ParseErrorCode.InvalidLength, "transform length overruns proposal")]
    [InlineData("00 00 0012 01 03 00 01 " + TransformEsn + " 0000", ParseErrorCode.InvalidLength, "octets after the transforms")]
    [InlineData("00 00 0012 01 03 00 01 00 00 000a 01 00 000c 800e", ParseErrorCode.InvalidLength, "attribute header cut")]
    [InlineData("00 00 0014 01 03 00 01 00 00 000c 01 00 000c 0011 0004", ParseErrorCode.InvalidLength, "TLV attribute overruns transform")]
    [InlineData("00 00 0018 01 03 00 01 00 00 0010 01 00 000c 800e 0080 800e 0100", ParseErrorCode.InvalidValue, "key length attribute twice")]
    public void Malformed_sa_payload_is_rejected(string body, ParseErrorCode expected, string because)
    {
        var code = Parse(PayloadType.SecurityAssociation, body).Code;
        Assert.True(code == expected, $"{because}: expected {expected}, got {code}");
    }

    [Theory]
    [Trait("RFC", "7296 3.4")]
    [InlineData("", ParseErrorCode.InvalidLength)]
    [InlineData("0013 00", ParseErrorCode.InvalidLength)]
    [InlineData("0013 0000", ParseErrorCode.InvalidLength)]
    public void Malformed_ke_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.KeyExchange, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.5")]
    [InlineData("01 0000", ParseErrorCode.InvalidLength)]
    [InlineData("02 000000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 0a0000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 0a000001ff", ParseErrorCode.InvalidLength)]
    [InlineData("05 000000 20*15", ParseErrorCode.InvalidLength)]
    [InlineData("05 000000 20*17", ParseErrorCode.InvalidLength)]
    public void Malformed_id_payload_is_rejected(string body, ParseErrorCode expected)
    {
        Assert.Equal(expected, Parse(PayloadType.IdentificationInitiator, body).Code);
        Assert.Equal(expected, Parse(PayloadType.IdentificationResponder, body).Code);
    }

    [Theory]
    [Trait("RFC", "7296 3.6")]
    [InlineData("", ParseErrorCode.InvalidLength)]
    [InlineData("04", ParseErrorCode.InvalidLength)]
    public void Malformed_cert_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.Certificate, body).Code);

    [Fact]
    [Trait("RFC", "7296 3.7")]
    public void CertReq_payload_without_encoding_is_rejected() =>
        Assert.Equal(ParseErrorCode.InvalidLength, Parse(PayloadType.CertificateRequest, "").Code);

    [Theory]
    [Trait("RFC", "7296 3.8")]
    [InlineData("02 0000", ParseErrorCode.InvalidLength)]
    [InlineData("02 000000", ParseErrorCode.InvalidLength)]
    public void Malformed_auth_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.Authentication, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.9")]
    [InlineData("")]
    [InlineData("6e*15")]
    [InlineData("6e*257")]
    [InlineData("6e*1000")]
    public void Nonce_outside_16_to_256_octets_is_rejected(string body) =>
        Assert.Equal(ParseErrorCode.InvalidLength, Parse(PayloadType.Nonce, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.10")]
    [InlineData("00 00 40", ParseErrorCode.InvalidLength)]
    [InlineData("03 03 4009 aabbcc", ParseErrorCode.InvalidValue)]
    [InlineData("03 10 4009 aa*16", ParseErrorCode.InvalidValue)]
    [InlineData("03 04 4009 aabb", ParseErrorCode.InvalidLength)]
    [InlineData("01 08 0004 aa*7", ParseErrorCode.InvalidLength)]
    public void Malformed_notify_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.Notify, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.11")]
    [InlineData("01 00 00", ParseErrorCode.InvalidLength)]
    [InlineData("01 04 0000", ParseErrorCode.InvalidValue)]
    [InlineData("01 00 0001", ParseErrorCode.InvalidValue)]
    [InlineData("03 08 0001 00*8", ParseErrorCode.InvalidValue)]
    [InlineData("02 00 0001", ParseErrorCode.InvalidValue)]
    [InlineData("09 04 0001 00*4", ParseErrorCode.InvalidValue)]
    [InlineData("00 00 0000", ParseErrorCode.InvalidValue)]
    [InlineData("03 04 0002 00*4", ParseErrorCode.InvalidLength)]
    [InlineData("03 04 0001 00*5", ParseErrorCode.InvalidLength)]
    [InlineData("01 00 0000 00", ParseErrorCode.InvalidLength)]
    public void Malformed_delete_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.Delete, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.13")]
    [InlineData("01 0000", ParseErrorCode.InvalidLength)]
    [InlineData("00 000000", ParseErrorCode.InvalidValue)]
    [InlineData("01 000000 07", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 07 00 0010 0000 ffff 0a0000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 07 00 0014 0000 ffff 0a000000 0a0000ff 00000000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 07 00 000c 0000 ffff 0a000000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 08 00 0010 0000 ffff 0a000000 0a0000ff", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 08 00 0028 0000 ffff 20*16 20*15", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 09 00 0010 0000 ffff 0a000000 0a0000ff", ParseErrorCode.InvalidValue)]
    [InlineData("02 000000 " + Ipv4Selector, ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 " + Ipv4Selector + " 00", ParseErrorCode.InvalidLength)]
    public void Malformed_ts_payload_is_rejected(string body, ParseErrorCode expected)
    {
        Assert.Equal(expected, Parse(PayloadType.TrafficSelectorInitiator, body).Code);
        Assert.Equal(expected, Parse(PayloadType.TrafficSelectorResponder, body).Code);
    }

    [Fact]
    [Trait("RFC", "7296 3.13.1")]
    public void Unsupported_ts_type_is_named_in_the_reason()
    {
        var error = Parse(PayloadType.TrafficSelectorInitiator, "01 000000 0a 00 0010 0000 ffff 0a000000 0a0000ff");

        Assert.Equal(ParseErrorCode.InvalidValue, error.Code);
        Assert.Equal("unsupported TS type 10", error.Reason);
    }

    [Theory]
    [Trait("RFC", "7296 3.15")]
    [InlineData("01 0000", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 0001 00", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 0001 0004 0a00", ParseErrorCode.InvalidLength)]
    [InlineData("01 000000 0001 0000 0003 0005 0a000001", ParseErrorCode.InvalidLength)]
    public void Malformed_configuration_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.Configuration, body).Code);

    [Theory]
    [Trait("RFC", "7296 3.16")]
    [InlineData("01 01 00", ParseErrorCode.InvalidLength)]
    [InlineData("01 01 0009 01 41", ParseErrorCode.InvalidLength)]
    [InlineData("02 01 0005 01 41", ParseErrorCode.InvalidLength)]
    [InlineData("01 01 0004", ParseErrorCode.InvalidLength)]
    [InlineData("02 01 0004", ParseErrorCode.InvalidLength)]
    public void Malformed_eap_payload_is_rejected(string body, ParseErrorCode expected) =>
        Assert.Equal(expected, Parse(PayloadType.ExtensibleAuthentication, body).Code);

    [Fact]
    [Trait("RFC", "7296 3.14")]
    public void Empty_encrypted_payload_is_rejected() =>
        Assert.Equal(ParseErrorCode.InvalidLength, Parse(PayloadType.Encrypted, "").Code);

    [Fact]
    [Trait("RFC", "7296 3.3.1")]
    public void Proposal_with_unknown_protocol_and_unusual_spi_size_still_parses()
    {
        var sa = ParseValid<SaPayload>(PayloadType.SecurityAssociation, "00 00 0013 01 09 03 01 aabbcc " + TransformEsn);

        var proposal = Assert.Single(sa.Proposals);
        Assert.Equal((ProtocolId)9, proposal.Protocol);
        Assert.Equal([0xaa, 0xbb, 0xcc], proposal.Spi);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.1")]
    public void Proposals_sharing_a_number_are_accepted()
    {
        var sa = ParseValid<SaPayload>(PayloadType.SecurityAssociation,
            "02 00 0010 01 03 00 01 " + TransformEsn + " 02 00 0010 01 02 00 01 " + TransformEsn + " 00 00 0010 02 03 00 01 " + TransformEsn);

        Assert.Equal([1, 1, 2], sa.Proposals.Select(p => p.Number));
    }

    [Theory]
    [Trait("RFC", "7296 3.3.6")]
    [InlineData("00 00 0018 01 03 00 01 00 00 0010 01 00 000c 800e 0080 8011 0001", (ushort)128)]
    [InlineData("00 00 0019 01 03 00 01 00 00 0011 01 00 000c 0011 0001 aa 800e 0080", (ushort)128)]
    [InlineData("00 00 0014 01 03 00 01 00 00 000c 01 00 000c 000e 0000", null)]
    public void Unrecognized_transform_attributes_are_flagged_not_rejected(string body, ushort? keyLength)
    {
        var sa = ParseValid<SaPayload>(PayloadType.SecurityAssociation, body);

        var transform = Assert.Single(Assert.Single(sa.Proposals).Transforms);
        Assert.True(transform.HasUnrecognizedAttributes);
        Assert.Equal(keyLength, transform.KeyLength);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.5")]
    public void Key_length_attribute_is_read()
    {
        var sa = ParseValid<SaPayload>(PayloadType.SecurityAssociation, "00 00 0014 01 03 00 01 00 00 000c 01 00 000c 800e 0080");

        var transform = Assert.Single(Assert.Single(sa.Proposals).Transforms);
        Assert.Equal(new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 128), transform);
    }

    [Fact]
    [Trait("RFC", "7296 3.13.1")]
    public void Ts_start_port_above_end_port_is_left_to_policy()
    {
        var ts = ParseValid<TsPayload>(PayloadType.TrafficSelectorInitiator, "01 000000 07 06 0010 ffff 0000 0a000000 0a0000ff");

        Assert.Equal(65535, ts.Selectors[0].StartPort);
        Assert.Equal(0, ts.Selectors[0].EndPort);
    }

    [Fact]
    [Trait("RFC", "7296 3.7")]
    public void Empty_certreq_authorities_are_accepted() =>
        Assert.Empty(ParseValid<CertReqPayload>(PayloadType.CertificateRequest, "04").Authorities);

    [Fact]
    [Trait("RFC", "7296 3.12")]
    public void Empty_vendor_id_is_accepted() =>
        Assert.Empty(ParseValid<VendorIdPayload>(PayloadType.VendorId, "").Data);
}
