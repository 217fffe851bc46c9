using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Config;

public class ProposalFormatterTests
{
    [Theory]
    [InlineData("aes256gcm16-prfsha384-ecp384", "AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384")]
    [InlineData("aes128-sha256-modp2048", "AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048")]
    [InlineData("chacha20poly1305-prfsha256-curve25519", "CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519")]
    [InlineData("3des-sha1-modp1024", "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024")]
    [InlineData("aes128ctr-aesxcbc-modp3072", "AES_CTR_128/AES_XCBC_96/PRF_AES128_XCBC/MODP_3072")]
    [InlineData("aes256-sha512-curve25519", "AES_CBC_256/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/CURVE_25519")]
    [InlineData("aes128-aescmac-prfaescmac-x448", "AES_CBC_128/AES_CMAC_96/PRF_AES128_CMAC/CURVE_448")]
    public void Ike_proposal_formats_like_charon_logs(string keywords, string expected)
    {
        Assert.Equal(expected, ProposalFormatter.Format(ProposalParser.Parse(keywords, ProtocolId.Ike)));
    }

    [Theory]
    [InlineData("aes128gcm16-esn", "AES_GCM_16_128/EXT_SEQ")]
    [InlineData("aes256-sha256-modp2048", "AES_CBC_256/HMAC_SHA2_256_128/MODP_2048/NO_EXT_SEQ")]
    public void Esp_proposal_formats_like_charon_logs(string keywords, string expected)
    {
        Assert.Equal(expected, ProposalFormatter.Format(ProposalParser.Parse(keywords, ProtocolId.Esp)));
    }

    [Theory]
    [InlineData("aes256gcm16-prfsha384-ecp384", ProtocolId.Ike, "AES_GCM_16-256/PRF_HMAC_SHA2_384/ECP_384")]
    [InlineData("aes128-sha256-modp2048", ProtocolId.Ike, "AES_CBC-128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048")]
    [InlineData("chacha20poly1305-prfsha256-curve25519", ProtocolId.Ike, "CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519")]
    [InlineData("3des-sha1-modp1024", ProtocolId.Ike, "3DES_CBC/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024")]
    [InlineData("aes128ctr-aesxcbc-modp3072", ProtocolId.Ike, "AES_CTR-128/AES_XCBC_96/PRF_AES128_XCBC/MODP_3072")]
    [InlineData("aes128gcm16", ProtocolId.Esp, "AES_GCM_16-128")]
    [InlineData("aes128gcm16-esn", ProtocolId.Esp, "AES_GCM_16-128/ESN")]
    [InlineData("aes256-sha256-modp2048", ProtocolId.Esp, "AES_CBC-256/HMAC_SHA2_256_128/MODP_2048")]
    public void Negotiated_proposal_formats_like_swanctl_list_sas(string keywords, ProtocolId protocol, string expected)
    {
        Assert.Equal(expected, ProposalFormatter.FormatSwanctl(ProposalParser.Parse(keywords, protocol)));
    }

    [Fact]
    public void Swanctl_form_rejects_a_proposal_that_still_offers_choices()
    {
        var offer = ProposalParser.Parse("aes128-aes256-sha256-modp2048", ProtocolId.Ike);
        Assert.Throws<ArgumentException>(() => ProposalFormatter.FormatSwanctl(offer));
    }

    [Theory]
    [InlineData("aes256gcm16-prfsha384-ecp384", ProtocolId.Ike, "aes256gcm16-prfsha384-ecp384")]
    [InlineData("aes128-sha256-modp2048", ProtocolId.Ike, "aes128-prfsha256-sha256-modp2048")]
    [InlineData("aes-sha2_256-x25519", ProtocolId.Ike, "aes128-prfsha256-sha256-curve25519")]
    [InlineData("aes128gcm16-esn", ProtocolId.Esp, "aes128gcm16-esn")]
    [InlineData("aes256-sha256-modp2048", ProtocolId.Esp, "aes256-sha256-modp2048")]
    [InlineData("aes128gcm16-esn-noesn", ProtocolId.Esp, "aes128gcm16-esn-noesn")]
    public void Keywords_round_trip_through_the_parser(string keywords, ProtocolId protocol, string expected)
    {
        var proposal = ProposalParser.Parse(keywords, protocol);
        var text = ProposalFormatter.ToKeywords(proposal);
        Assert.Equal(expected, text);
        Assert.Equal(proposal.Transforms, ProposalParser.Parse(text, protocol).Transforms);
    }

    [Fact]
    public void Unknown_transform_id_is_printed_with_type_and_number()
    {
        var proposal = new Proposal(1, ProtocolId.Ike, [], [new Transform(TransformType.Encryption, 1234, 128)]);
        Assert.Equal("UNKNOWN_1_1234_128", ProposalFormatter.Format(proposal));
    }
}
