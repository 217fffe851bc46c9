using System.Text;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Crypto;

public class PrfTests
{
    private static readonly CryptoRegistry Registry = new();

    private static IPrf Prf(PrfAlgorithm algorithm)
    {
        Assert.True(Registry.TryCreatePrf(algorithm, out var prf));
        return prf;
    }

    public static TheoryData<PrfAlgorithm, string, string, string> Rfc4868PrfVectors => new()
    {
        // RFC 4868 §2.7.1, Test Case PRF-1: key = 0x0b x 20, data = "Hi There".
        { PrfAlgorithm.HmacSha2_256, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { PrfAlgorithm.HmacSha2_384, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
          "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6" },
        { PrfAlgorithm.HmacSha2_512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
          "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
        // Test Case PRF-3: key = 0xaa x 20, data = 0xdd x 50.
        { PrfAlgorithm.HmacSha2_256, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", new string('d', 100),
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
        { PrfAlgorithm.HmacSha2_384, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", new string('d', 100),
          "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27" },
        { PrfAlgorithm.HmacSha2_512, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", new string('d', 100),
          "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" },
        // Test Case PRF-4: key = 0x01..0x19, data = 0xcd x 50.
        { PrfAlgorithm.HmacSha2_256, "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)),
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
        { PrfAlgorithm.HmacSha2_384, "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)),
          "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb" },
        { PrfAlgorithm.HmacSha2_512, "0102030405060708090a0b0c0d0e0f10111213141516171819", string.Concat(Enumerable.Repeat("cd", 50)),
          "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" },
        // Test Case PRF-5: key = 0xaa x 131, "Test Using Larger Than Block-Size Key - Hash Key First".
        { PrfAlgorithm.HmacSha2_256, string.Concat(Enumerable.Repeat("aa", 131)), Convert.ToHexString(Encoding.ASCII.GetBytes("Test Using Larger Than Block-Size Key - Hash Key First")),
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
        { PrfAlgorithm.HmacSha2_384, string.Concat(Enumerable.Repeat("aa", 131)), Convert.ToHexString(Encoding.ASCII.GetBytes("Test Using Larger Than Block-Size Key - Hash Key First")),
          "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952" },
        { PrfAlgorithm.HmacSha2_512, string.Concat(Enumerable.Repeat("aa", 131)), Convert.ToHexString(Encoding.ASCII.GetBytes("Test Using Larger Than Block-Size Key - Hash Key First")),
          "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" },
    };

    [Theory]
    [MemberData(nameof(Rfc4868PrfVectors))]
    [Trait("RFC", "4868 2.7.1")]
    public void Hmac_sha2_prf_matches_rfc4868_vectors(PrfAlgorithm algorithm, string key, string data, string expected)
    {
        var prf = Prf(algorithm);
        Assert.Equal(expected, Hex.Of(prf.Compute(Hex.Bytes(key), Hex.Bytes(data))));
        Assert.Equal(expected.Length / 2, prf.OutputSize);
        Assert.Equal(prf.OutputSize, prf.KeySize);
        Assert.False(prf.HasFixedKeySize);
    }

    [Fact]
    [Trait("RFC", "2202 3")]
    public void Hmac_sha1_prf_matches_rfc2202_test_case_1()
    {
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var output = prf.Compute(Hex.Repeat(0x0b, 20), Encoding.ASCII.GetBytes("Hi There"));
        Assert.Equal("b617318655057264e28bc0b6fb378c8ef146be00", Hex.Of(output));
        Assert.Equal(20, prf.OutputSize);
    }

    public static TheoryData<int, string> Rfc4434Vectors => new()
    {
        // RFC 4434 §5: message 0x00..0x13 (20 octets) under keys of 16, 10 and 18 octets.
        { 16, "47f51b4564966215b8985c63055ed308" },
        { 10, "0fa087af7d866e7653434e602fdde835" },
        { 18, "8cd3c93ae598a9803006ffb67c40e9e4" },
    };

    [Theory]
    [MemberData(nameof(Rfc4434Vectors))]
    [Trait("RFC", "4434 5")]
    public void Aes_xcbc_prf_matches_rfc4434_vectors_for_every_key_length(int keyLength, string expected)
    {
        var prf = Prf(PrfAlgorithm.AesXcbc);
        Assert.Equal(expected, Hex.Of(prf.Compute(Rfc4434Key(keyLength), Hex.Counting(20))));
        Assert.True(prf.HasFixedKeySize);
        Assert.Equal(16, prf.KeySize);
        Assert.Equal(16, prf.OutputSize);
    }

    [Theory]
    [Trait("RFC", "4615 4")]
    [InlineData(18, "84a348a4a45d235babfffc0d2b4da09a")]
    [InlineData(16, "980ae87b5f4c9c5214f5b6a8455e4c2d")]
    [InlineData(10, "290d9e112edb09ee141fcf64c0b72f3d")]
    public void Aes_cmac_prf_matches_rfc4615_vectors_for_every_key_length(int keyLength, string expected)
    {
        var prf = Prf(PrfAlgorithm.AesCmac);
        Assert.Equal(expected, Hex.Of(prf.Compute(Rfc4434Key(keyLength), Hex.Counting(20))));
        Assert.True(prf.HasFixedKeySize);
    }

    [Theory]
    [Trait("RFC", "3566 4.6")]
    [InlineData(0, "75f0251d528ac01c4573dfd584d79f29")]
    [InlineData(3, "5b376580ae2f19afe7219ceef172756f")]
    [InlineData(16, "d2a246fa349b68a79998a4394ff7a263")]
    [InlineData(20, "47f51b4564966215b8985c63055ed308")]
    [InlineData(32, "f54f0ec8d2b9f3d36807734bd5283fd4")]
    public void Aes_xcbc_prf_with_16_octet_key_is_the_full_rfc3566_mac(int messageLength, string expected)
    {
        var prf = Prf(PrfAlgorithm.AesXcbc);
        Assert.Equal(expected, Hex.Of(prf.Compute(Hex.Counting(16), Hex.Counting(messageLength))));
    }

    [Theory]
    [Trait("RFC", "4493 4")]
    [InlineData(0, "bb1d6929e95937287fa37d129b756746")]
    [InlineData(16, "070a16b46b4d4144f79bdd9dd04a287c")]
    [InlineData(40, "dfa66747de9ae63030ca32611497c827")]
    [InlineData(64, "51f0bebf7e3b9d92fc49741779363cfe")]
    public void Aes_cmac_prf_with_16_octet_key_is_the_rfc4493_mac(int messageLength, string expected)
    {
        var prf = Prf(PrfAlgorithm.AesCmac);
        Assert.Equal(expected, Hex.Of(prf.Compute(Hex.Bytes("2b7e151628aed2a6abf7158809cf4f3c"), Rfc4493Message[..messageLength])));
    }

    [Fact]
    public void Unsupported_prf_is_refused()
    {
        Assert.False(Registry.TryCreatePrf(PrfAlgorithm.HmacMd5, out var prf));
        Assert.Null(prf);
        Assert.False(Registry.IsSupported(PrfAlgorithm.HmacMd5));
        Assert.True(Registry.IsSupported(PrfAlgorithm.AesCmac));
    }

    internal static readonly byte[] Rfc4493Message = Hex.Bytes(
        "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51" +
        "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");

    /// <summary>RFC 4434 / RFC 4615 keys: 0x00..0x0f, truncated to 10 octets or extended with 0xed 0xcb.</summary>
    private static byte[] Rfc4434Key(int length) => length switch
    {
        18 => [.. Hex.Counting(16), 0xed, 0xcb],
        _ => Hex.Counting(length),
    };
}
