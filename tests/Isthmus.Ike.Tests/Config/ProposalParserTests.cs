using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Config;

public class ProposalParserTests
{
    private static Transform Encr(EncryptionAlgorithm alg, ushort? bits = null) => new(TransformType.Encryption, (ushort)alg, bits);
    private static Transform Prf(PrfAlgorithm alg) => new(TransformType.Prf, (ushort)alg);
    private static Transform Integ(IntegrityAlgorithm alg) => new(TransformType.Integrity, (ushort)alg);
    private static Transform Dh(DhGroup group) => new(TransformType.KeyExchange, (ushort)group);
    private static Transform Esn(EsnMode mode) => new(TransformType.ExtendedSequenceNumbers, (ushort)mode);

    public static TheoryData<string, Transform[]> IkeProposals => new()
    {
        { "aes256gcm16-prfsha384-ecp384", [Encr(EncryptionAlgorithm.AesGcm16, 256), Prf(PrfAlgorithm.HmacSha2_384), Dh(DhGroup.Ecp384)] },
        { "aes128-sha256-modp2048", [Encr(EncryptionAlgorithm.AesCbc, 128), Prf(PrfAlgorithm.HmacSha2_256), Integ(IntegrityAlgorithm.HmacSha2_256_128), Dh(DhGroup.Modp2048)] },
        { "aes256-sha512-curve25519", [Encr(EncryptionAlgorithm.AesCbc, 256), Prf(PrfAlgorithm.HmacSha2_512), Integ(IntegrityAlgorithm.HmacSha2_512_256), Dh(DhGroup.Curve25519)] },
        { "chacha20poly1305-prfsha256-curve25519", [Encr(EncryptionAlgorithm.ChaCha20Poly1305), Prf(PrfAlgorithm.HmacSha2_256), Dh(DhGroup.Curve25519)] },
        { "aes128ctr-aesxcbc-modp3072", [Encr(EncryptionAlgorithm.AesCtr, 128), Prf(PrfAlgorithm.AesXcbc), Integ(IntegrityAlgorithm.AesXcbc96), Dh(DhGroup.Modp3072)] },
        { "3des-sha1-modp1024", [Encr(EncryptionAlgorithm.Des3), Prf(PrfAlgorithm.HmacSha1), Integ(IntegrityAlgorithm.HmacSha1_96), Dh(DhGroup.Modp1024)] },
        { "aes-sha2_384-x448", [Encr(EncryptionAlgorithm.AesCbc, 128), Prf(PrfAlgorithm.HmacSha2_384), Integ(IntegrityAlgorithm.HmacSha2_384_192), Dh(DhGroup.Curve448)] },
        { "blowfish192-aescmac-prfsha256-ecp521", [Encr(EncryptionAlgorithm.Blowfish, 192), Prf(PrfAlgorithm.HmacSha2_256), Integ(IntegrityAlgorithm.AesCmac96), Dh(DhGroup.Ecp521)] },
        { "aes128gcm8-prfsha256-modp8192", [Encr(EncryptionAlgorithm.AesGcm8, 128), Prf(PrfAlgorithm.HmacSha2_256), Dh(DhGroup.Modp8192)] },
        { "aes192gcm96-prfaescmac-ecp256", [Encr(EncryptionAlgorithm.AesGcm12, 192), Prf(PrfAlgorithm.AesCmac), Dh(DhGroup.Ecp256)] },
        { "AES256GCM128-PRFSHA512-ECP384", [Encr(EncryptionAlgorithm.AesGcm16, 256), Prf(PrfAlgorithm.HmacSha2_512), Dh(DhGroup.Ecp384)] },
    };

    [Theory]
    [MemberData(nameof(IkeProposals))]
    [Trait("RFC", "7296 3.3.2")]
    public void Ike_keywords_map_to_transforms_in_wire_order(string text, Transform[] expected)
    {
        Assert.True(ProposalParser.TryParse(text, ProtocolId.Ike, out var proposal, out var error), error);
        Assert.Equal(1, proposal.Number);
        Assert.Equal(ProtocolId.Ike, proposal.Protocol);
        Assert.Empty(proposal.Spi);
        Assert.Equal(expected, proposal.Transforms);
    }

    public static TheoryData<string, Transform[]> EspProposals => new()
    {
        { "aes128gcm16-esn", [Encr(EncryptionAlgorithm.AesGcm16, 128), Esn(EsnMode.Esn)] },
        { "aes256-sha256-modp2048", [Encr(EncryptionAlgorithm.AesCbc, 256), Integ(IntegrityAlgorithm.HmacSha2_256_128), Dh(DhGroup.Modp2048), Esn(EsnMode.NoEsn)] },
        { "aes256gcm16", [Encr(EncryptionAlgorithm.AesGcm16, 256), Esn(EsnMode.NoEsn)] },
        { "aes128gcm16-ecp256-esn-noesn", [Encr(EncryptionAlgorithm.AesGcm16, 128), Dh(DhGroup.Ecp256), Esn(EsnMode.Esn), Esn(EsnMode.NoEsn)] },
        { "null-sha256", [Encr(EncryptionAlgorithm.Null), Integ(IntegrityAlgorithm.HmacSha2_256_128), Esn(EsnMode.NoEsn)] },
        { "aes128gmac", [Encr(EncryptionAlgorithm.NullAuthAesGmac, 128), Esn(EsnMode.NoEsn)] },
        { "aes128-sha256-prfsha256-ecp256", [Encr(EncryptionAlgorithm.AesCbc, 128), Integ(IntegrityAlgorithm.HmacSha2_256_128), Dh(DhGroup.Ecp256), Esn(EsnMode.NoEsn)] },
    };

    [Theory]
    [MemberData(nameof(EspProposals))]
    [Trait("RFC", "7296 3.3.3")]
    public void Esp_keywords_map_to_transforms_with_pfs_group_and_esn(string text, Transform[] expected)
    {
        Assert.True(ProposalParser.TryParse(text, ProtocolId.Esp, out var proposal, out var error), error);
        Assert.Equal(ProtocolId.Esp, proposal.Protocol);
        Assert.Equal(expected, proposal.Transforms);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.2")]
    public void Several_algorithms_of_one_type_keep_their_order_and_derive_one_prf_each()
    {
        var proposal = ProposalParser.Parse("aes256-aes128-sha384-sha256-ecp384-modp2048", ProtocolId.Ike);
        Assert.Equal(
            [
                Encr(EncryptionAlgorithm.AesCbc, 256), Encr(EncryptionAlgorithm.AesCbc, 128),
                Prf(PrfAlgorithm.HmacSha2_384), Prf(PrfAlgorithm.HmacSha2_256),
                Integ(IntegrityAlgorithm.HmacSha2_384_192), Integ(IntegrityAlgorithm.HmacSha2_256_128),
                Dh(DhGroup.Ecp384), Dh(DhGroup.Modp2048),
            ],
            proposal.Transforms);
    }

    [Fact]
    public void Explicit_prf_is_used_instead_of_a_derived_one()
    {
        var proposal = ProposalParser.Parse("aes128-sha256-prfsha512-ecp256", ProtocolId.Ike);
        Assert.Equal([Prf(PrfAlgorithm.HmacSha2_512)], proposal.Transforms.Where(t => t.Type == TransformType.Prf));
    }

    [Theory]
    [InlineData("aes257-sha256-modp2048", ProtocolId.Ike, "unknown algorithm keyword 'aes257' in proposal 'aes257-sha256-modp2048'")]
    [InlineData("aes128-sha256-modp2049", ProtocolId.Ike, "unknown algorithm keyword 'modp2049' in proposal 'aes128-sha256-modp2049'")]
    [InlineData("aes256gcm16-ecp384", ProtocolId.Ike, "AEAD proposal 'aes256gcm16-ecp384' needs an explicit PRF, e.g. prfsha256")]
    [InlineData("aes256gcm16-aes256-prfsha256-ecp256", ProtocolId.Ike, "proposal 'aes256gcm16-aes256-prfsha256-ecp256' mixes AEAD ('aes256gcm16') and non-AEAD ('aes256') encryption algorithms")]
    [InlineData("aes256gcm16-sha256-ecp256", ProtocolId.Ike, "proposal 'aes256gcm16-sha256-ecp256' combines AEAD encryption 'aes256gcm16' with integrity algorithm 'sha256'; AEAD algorithms provide integrity themselves")]
    [InlineData("aes128gcm16-sha256", ProtocolId.Esp, "proposal 'aes128gcm16-sha256' combines AEAD encryption 'aes128gcm16' with integrity algorithm 'sha256'; AEAD algorithms provide integrity themselves")]
    [InlineData("aes128-sha256", ProtocolId.Ike, "IKE proposal 'aes128-sha256' needs a DH group, e.g. ecp256 or modp2048")]
    [InlineData("aes128-modp2048", ProtocolId.Ike, "proposal 'aes128-modp2048' needs an integrity algorithm for non-AEAD encryption 'aes128', e.g. sha256")]
    [InlineData("aes128", ProtocolId.Esp, "proposal 'aes128' needs an integrity algorithm for non-AEAD encryption 'aes128', e.g. sha256")]
    [InlineData("sha256-modp2048", ProtocolId.Ike, "proposal 'sha256-modp2048' has no encryption algorithm")]
    [InlineData("aes128--sha256-modp2048", ProtocolId.Ike, "empty algorithm keyword in proposal 'aes128--sha256-modp2048'")]
    [InlineData("aes128gcm16-prfsha256-ecp256-esn", ProtocolId.Ike, "'esn' in proposal 'aes128gcm16-prfsha256-ecp256-esn' is only valid in ESP proposals")]
    [InlineData("null-sha256-modp2048", ProtocolId.Ike, "'null' in proposal 'null-sha256-modp2048' is only valid in ESP proposals: the IKE SA must be encrypted")]
    [InlineData("aes128-md5-modp2048", ProtocolId.Ike, "algorithm keyword 'md5' in proposal 'aes128-md5-modp2048' is not supported: HMAC-MD5 must not be used with IKEv2 (RFC 8247 section 2.3)")]
    [InlineData("camellia128-sha256-modp2048", ProtocolId.Ike, "algorithm keyword 'camellia128' in proposal 'camellia128-sha256-modp2048' is not supported: not implemented by Isthmus")]
    [InlineData("  ", ProtocolId.Ike, "empty proposal")]
    [InlineData("aes128-sha256", ProtocolId.Ah, "only IKE and ESP proposals are supported, not Ah")]
    public void Invalid_proposal_gets_an_error_naming_the_problem(string text, ProtocolId protocol, string expected)
    {
        Assert.False(ProposalParser.TryParse(text, protocol, out var proposal, out var error));
        Assert.Null(proposal);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Parse_throws_FormatException_with_the_same_message()
    {
        var e = Assert.Throws<FormatException>(() => ProposalParser.Parse("aes257-sha256-modp2048", ProtocolId.Ike));
        Assert.Equal("unknown algorithm keyword 'aes257' in proposal 'aes257-sha256-modp2048'", e.Message);
    }

    [Theory]
    [InlineData("3des-sha1-modp1024", ProtocolId.Ike, new[] { "3DES_CBC", "PRF_HMAC_SHA1", "HMAC_SHA1_96", "MODP_1024" })]
    [InlineData("aes256gcm16-prfsha384-ecp384", ProtocolId.Ike, new string[0])]
    [InlineData("blowfish-sha256-modp1536", ProtocolId.Esp, new[] { "BLOWFISH_CBC", "MODP_1536" })]
    public void Weak_algorithms_are_reported_by_strongswan_name(string text, ProtocolId protocol, string[] expected)
    {
        Assert.Equal(expected, WeakAlgorithms.Find(ProposalParser.Parse(text, protocol)));
    }
}
