using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Crypto;

public class KeyExchangeTests
{
    private static readonly CryptoRegistry Registry = new();

    public static TheoryData<DhGroup, string, string, string, string, string> Rfc5903Vectors => new()
    {
        // RFC 5903 §8.1-8.3: i, g^i = (gix, giy), r, g^r = (grx, gry), g^ir = girx.
        {
            DhGroup.Ecp256,
            "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433",
            "DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180 5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3",
            "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53",
            "D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63 56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB",
            "D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"
        },
        {
            DhGroup.Ecp384,
            "099F3C7034D4A2C699884D73A375A67F7624EF7C6B3C0F160647B67414DCE655E35B538041E649EE3FAEF896783AB194",
            "667842D7D180AC2CDE6F74F37551F55755C7645C20EF73E31634FE72B4C55EE6DE3AC808ACB4BDB4C88732AEE95F41AA " +
            "9482ED1FC0EEB9CAFC4984625CCFC23F65032149E0E144ADA024181535A0F38EEB9FCFF3C2C947DAE69B4C634573A81C",
            "41CB0779B4BDB85D47846725FBEC3C9430FAB46CC8DC5060855CC9BDA0AA2942E0308312916B8ED2960E4BD55A7448FC",
            "E558DBEF53EECDE3D3FCCFC1AEA08A89A987475D12FD950D83CFA41732BC509D0D1AC43A0336DEF96FDA41D0774A3571 " +
            "DCFBEC7AACF3196472169E838430367F66EEBE3C6E70C416DD5F0C68759DD1FFF83FA40142209DFF5EAAD96DB9E6386C",
            "11187331C279962D93D604243FD592CB9D0A926F422E47187521287E7156C5C4D603135569B9E9D09CF5D4A270F59746"
        },
        {
            DhGroup.Ecp521,
            "0037ADE9319A89F4DABDB3EF411AACCCA5123C61ACAB57B5393DCE47608172A095AA85A30FE1C2952C6771D937BA9777F5957B2639BAB072462F68C27A57382D4A52",
            "0015417E84DBF28C0AD3C278713349DC7DF153C897A1891BD98BAB4357C9ECBEE1E3BF42E00B8E380AEAE57C2D107564941885942AF5A7F4601723C4195D176CED3E " +
            "017CAE20B6641D2EEB695786D8C946146239D099E18E1D5A514C739D7CB4A10AD8A788015AC405D7799DC75E7B7D5B6CF2261A6A7F1507438BF01BEB6CA3926F9582",
            "0145BA99A847AF43793FDD0E872E7CDFA16BE30FDC780F97BCCC3F078380201E9C677D600B343757A3BDBF2A3163E4C2F869CCA7458AA4A4EFFC311F5CB151685EB9",
            "00D0B3975AC4B799F5BEA16D5E13E9AF971D5E9B984C9F39728B5E5739735A219B97C356436ADC6E95BB0352F6BE64A6C2912D4EF2D0433CED2B6171640012D9460F " +
            "015C68226383956E3BD066E797B623C27CE0EAC2F551A10C2C724D9852077B87220B6536C5C408A1D2AEBB8E86D678AE49CB57091F4732296579AB44FCD17F0FC56A",
            "01144C7D79AE6956BC8EDB8E7C787C4521CB086FA64407F97894E5E6B2D79B04D1427E73CA4BAA240A34786859810C06B3C715A3A8CC3151F2BEE417996D19F3DDEA"
        },
    };

    [Theory]
    [MemberData(nameof(Rfc5903Vectors))]
    [Trait("RFC", "5903 8")]
    public void Ecp_exchange_matches_rfc5903_vectors_on_both_sides(DhGroup group, string i, string gi, string r, string gr, string gir)
    {
        using var initiator = EcpKeyExchange.CreateWithPrivateKey(group, Hex.Bytes(i));
        using var responder = EcpKeyExchange.CreateWithPrivateKey(group, Hex.Bytes(r));
        Assert.Equal(Hex.Bytes(gi), initiator.PublicKey);
        Assert.Equal(Hex.Bytes(gr), responder.PublicKey);

        Assert.True(initiator.TryComputeSharedSecret(responder.PublicKey, out var secretI, out var errorI));
        Assert.Equal(KeyExchangeError.None, errorI);
        Assert.Equal(Hex.Bytes(gir), secretI);
        Assert.True(responder.TryComputeSharedSecret(initiator.PublicKey, out var secretR, out _));
        Assert.Equal(Hex.Bytes(gir), secretR);
    }

    [Theory]
    [Trait("RFC", "7748 5.2")]
    [InlineData(DhGroup.Curve25519,
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData(DhGroup.Curve25519,
        "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
        "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")]
    [InlineData(DhGroup.Curve448,
        "3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
        "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
        "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f")]
    public void Montgomery_scalar_multiplication_matches_rfc7748_vectors(DhGroup group, string scalar, string u, string expected)
    {
        using var exchange = MontgomeryKeyExchange.CreateWithPrivateKey(group, Hex.Bytes(scalar));
        Assert.True(exchange.TryComputeSharedSecret(Hex.Bytes(u), out var secret, out _));
        Assert.Equal(expected, Hex.Of(secret));
    }

    [Theory]
    [Trait("RFC", "7748 6")]
    [InlineData(DhGroup.Curve25519,
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")]
    [InlineData(DhGroup.Curve448,
        "9a8f4925d1519f5775cf46b04b5800d4ee9ee8bae8bc5565d498c28dd9c9baf574a9419744897391006382a6f127ab1d9ac2d8c0a598726b",
        "9b08f7cc31b7e3e67d22d5aea121074a273bd2b83de09c63faa73d2c22c5d9bbc836647241d953d40c5b12da88120d53177f80e532c41fa0",
        "1c306a7ac2a0e2e0990b294470cba339e6453772b075811d8fad0d1d6927c120bb5ee8972b0d3e21374c9c921b09d1b0366f10b65173992d",
        "3eb7a829b0cd20f5bcfc0b599b6feccf6da4627107bdb0d4f345b43027d8b972fc3e34fb4232a13ca706dcb57aec3dae07bdc1c67bf33609",
        "07fff4181ac6cc95ec1c16a94a0f74d12da232ce40a77552281d282bb60c0b56fd2464c335543936521c24403085d59a449a5037514a879d")]
    public void Montgomery_diffie_hellman_matches_rfc7748_vectors(DhGroup group, string alicePrivate, string alicePublic, string bobPrivate, string bobPublic, string shared)
    {
        using var alice = MontgomeryKeyExchange.CreateWithPrivateKey(group, Hex.Bytes(alicePrivate));
        using var bob = MontgomeryKeyExchange.CreateWithPrivateKey(group, Hex.Bytes(bobPrivate));
        Assert.Equal(alicePublic, Hex.Of(alice.PublicKey));
        Assert.Equal(bobPublic, Hex.Of(bob.PublicKey));
        Assert.True(alice.TryComputeSharedSecret(bob.PublicKey, out var k1, out _));
        Assert.True(bob.TryComputeSharedSecret(alice.PublicKey, out var k2, out _));
        Assert.Equal(Hex.Bytes(shared), k1);
        Assert.Equal(k1, k2);
    }

    [Theory]
    [Trait("RFC", "7296 3.4")]
    [InlineData(DhGroup.Modp768, 96)]
    [InlineData(DhGroup.Modp1024, 128)]
    [InlineData(DhGroup.Modp1536, 192)]
    [InlineData(DhGroup.Modp2048, 256)]
    [InlineData(DhGroup.Modp3072, 384)]
    [InlineData(DhGroup.Modp4096, 512)]
    [InlineData(DhGroup.Modp6144, 768)]
    [InlineData(DhGroup.Modp8192, 1024)]
    [InlineData(DhGroup.Ecp256, 64)]
    [InlineData(DhGroup.Ecp384, 96)]
    [InlineData(DhGroup.Ecp521, 132)]
    [InlineData(DhGroup.Curve25519, 32)]
    [InlineData(DhGroup.Curve448, 56)]
    public void Two_instances_agree_and_public_values_have_the_exact_length(DhGroup group, int length)
    {
        Assert.True(Registry.IsSupported(group));
        Assert.Equal(length, Registry.GetKeyExchangeLength(group));
        Assert.True(Registry.TryCreateKeyExchange(group, out var a));
        Assert.True(Registry.TryCreateKeyExchange(group, out var b));
        using (a)
        using (b)
        {
            Assert.Equal(group, a.Group);
            Assert.Equal(length, a.PublicKey.Length);
            Assert.Equal(length, b.PublicKey.Length);
            Assert.NotEqual(a.PublicKey, b.PublicKey);
            Assert.True(a.TryComputeSharedSecret(b.PublicKey, out var s1, out var e1), e1.ToString());
            Assert.True(b.TryComputeSharedSecret(a.PublicKey, out var s2, out var e2), e2.ToString());
            Assert.Equal(s1, s2);
            int expectedSecretLength = group is DhGroup.Ecp256 or DhGroup.Ecp384 or DhGroup.Ecp521 ? length / 2 : length;
            Assert.Equal(expectedSecretLength, s1.Length);
        }
    }

    [Theory]
    [Trait("RFC", "3526")]
    [InlineData(DhGroup.Modp768, 768)]
    [InlineData(DhGroup.Modp1024, 1024)]
    [InlineData(DhGroup.Modp1536, 1536)]
    [InlineData(DhGroup.Modp2048, 2048)]
    [InlineData(DhGroup.Modp3072, 3072)]
    [InlineData(DhGroup.Modp4096, 4096)]
    [InlineData(DhGroup.Modp6144, 6144)]
    [InlineData(DhGroup.Modp8192, 8192)]
    public void Modp_primes_have_the_published_size_and_form(DhGroup group, int bits)
    {
        // RFC 2409 §6 / RFC 3526: p = 2^n - 2^(n-64) - 1 + 2^64 * (...), so the top and bottom 64 bits are all ones.
        var p = ModpKeyExchange.PrimeOf(group)!;
        Assert.Equal(bits, p.BitLength);
        var bytes = p.ToByteArrayUnsigned();
        Assert.All(bytes[..8], b => Assert.Equal(0xff, b));
        Assert.All(bytes[^8..], b => Assert.Equal(0xff, b));
    }

    [Fact]
    [Trait("RFC", "6989 2.1")]
    public void Modp_peer_values_outside_one_to_p_minus_one_are_refused()
    {
        const DhGroup group = DhGroup.Modp1024;
        using var exchange = ModpKeyExchange.CreateWithPrivateValue(group, Hex.Counting(32));
        var p = ModpKeyExchange.PrimeOf(group)!;
        int length = Registry.GetKeyExchangeLength(group);

        byte[] Encode(Org.BouncyCastle.Math.BigInteger value)
        {
            var raw = value.ToByteArrayUnsigned();
            var padded = new byte[length];
            raw.CopyTo(padded, length - raw.Length);
            return padded;
        }

        var one = Org.BouncyCastle.Math.BigInteger.One;
        foreach (var bad in new[] { Org.BouncyCastle.Math.BigInteger.Zero, one, p.Subtract(one), p, p.Add(one) })
        {
            Assert.False(exchange.TryComputeSharedSecret(Encode(bad), out var secret, out var error));
            Assert.Equal(KeyExchangeError.OutOfRange, error);
            Assert.Empty(secret);
        }

        Assert.False(exchange.TryComputeSharedSecret(Hex.Repeat(0xff, length), out _, out var tooBig));
        Assert.Equal(KeyExchangeError.OutOfRange, tooBig);

        // 2 and p-2 are the edges of the accepted range.
        Assert.True(exchange.TryComputeSharedSecret(Encode(one.Add(one)), out _, out _));
        Assert.True(exchange.TryComputeSharedSecret(Encode(p.Subtract(one).Subtract(one)), out _, out _));
    }

    [Theory]
    [Trait("RFC", "7296 3.4")]
    [InlineData(DhGroup.Modp2048, 255)]
    [InlineData(DhGroup.Modp2048, 257)]
    [InlineData(DhGroup.Ecp256, 65)]
    [InlineData(DhGroup.Ecp256, 0)]
    [InlineData(DhGroup.Ecp521, 130)]
    [InlineData(DhGroup.Curve25519, 31)]
    [InlineData(DhGroup.Curve448, 57)]
    public void Peer_value_of_the_wrong_length_is_refused(DhGroup group, int length)
    {
        Assert.True(Registry.TryCreateKeyExchange(group, out var exchange));
        using (exchange)
        {
            Assert.False(exchange.TryComputeSharedSecret(Hex.Repeat(0x05, length), out var secret, out var error));
            Assert.Equal(KeyExchangeError.WrongLength, error);
            Assert.Empty(secret);
        }
    }

    [Fact]
    [Trait("RFC", "6989 2.3")]
    public void Ecp_point_off_the_curve_is_refused()
    {
        using var exchange = EcpKeyExchange.CreateWithPrivateKey(DhGroup.Ecp256, Hex.Bytes("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"));
        var point = Hex.Bytes("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63 56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
        point[^1] ^= 0x01;
        Assert.False(exchange.TryComputeSharedSecret(point, out var secret, out var error));
        Assert.Equal(KeyExchangeError.NotOnCurve, error);
        Assert.Empty(secret);
    }

    [Theory]
    [Trait("RFC", "6989 2.3")]
    [InlineData(DhGroup.Ecp256)]
    [InlineData(DhGroup.Ecp384)]
    [InlineData(DhGroup.Ecp521)]
    public void Ecp_all_zero_encoding_of_the_point_at_infinity_is_refused(DhGroup group)
    {
        Assert.True(Registry.TryCreateKeyExchange(group, out var exchange));
        using (exchange)
        {
            Assert.False(exchange.TryComputeSharedSecret(new byte[Registry.GetKeyExchangeLength(group)], out _, out var error));
            Assert.Equal(KeyExchangeError.NotOnCurve, error);
        }
    }

    [Fact]
    [Trait("RFC", "6989 2.3")]
    public void Ecp_coordinate_not_below_the_field_prime_is_refused()
    {
        // P-256 field prime p; the point (p, y) is (0, y) reduced, which must not be accepted in this encoding.
        const string p256Prime = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
        using var exchange = EcpKeyExchange.CreateWithPrivateKey(DhGroup.Ecp256, Hex.Bytes("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"));
        var y = exchange.PublicKey[32..];
        Assert.False(exchange.TryComputeSharedSecret([.. Hex.Bytes(p256Prime), .. y], out _, out var error));
        Assert.Equal(KeyExchangeError.NotOnCurve, error);
    }

    [Theory]
    [Trait("RFC", "7748 6.1")]
    [InlineData(DhGroup.Curve25519, "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(DhGroup.Curve25519, "0100000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(DhGroup.Curve25519, "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")]
    [InlineData(DhGroup.Curve448, "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData(DhGroup.Curve448, "0100000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")]
    public void Montgomery_low_order_point_giving_a_zero_secret_is_refused(DhGroup group, string lowOrderPoint)
    {
        Assert.True(Registry.TryCreateKeyExchange(group, out var exchange));
        using (exchange)
        {
            Assert.False(exchange.TryComputeSharedSecret(Hex.Bytes(lowOrderPoint), out var secret, out var error));
            Assert.Equal(KeyExchangeError.DegenerateSecret, error);
            Assert.Empty(secret);
        }
    }

    [Theory]
    [InlineData(DhGroup.None)]
    [InlineData((DhGroup)22)]
    [InlineData((DhGroup)29)]
    public void Unknown_group_is_refused(DhGroup group)
    {
        Assert.False(Registry.TryCreateKeyExchange(group, out var exchange));
        Assert.Null(exchange);
        Assert.False(Registry.IsSupported(group));
        Assert.Equal(0, Registry.GetKeyExchangeLength(group));
    }
}
