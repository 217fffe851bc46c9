using System.Text;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Crypto;

public class IntegrityTests
{
    private static readonly CryptoRegistry Registry = new();

    private static IIntegrity Integrity(IntegrityAlgorithm algorithm)
    {
        Assert.True(Registry.TryCreateIntegrity(algorithm, out var integrity));
        return integrity;
    }

    public static TheoryData<IntegrityAlgorithm, string, string, string> Vectors => new()
    {
        // RFC 4868 §2.7.2.1-3 (AUTH256-1, AUTH384-1, AUTH512-1): key 0x0b x key length, "Hi There".
        { IntegrityAlgorithm.HmacSha2_256_128, string.Concat(Enumerable.Repeat("0b", 32)), "4869205468657265", "198a607eb44bfbc69903a0f1cf2bbdc5" },
        { IntegrityAlgorithm.HmacSha2_384_192, string.Concat(Enumerable.Repeat("0b", 48)), "4869205468657265", "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973" },
        { IntegrityAlgorithm.HmacSha2_512_256, string.Concat(Enumerable.Repeat("0b", 64)), "4869205468657265", "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8" },
        // AUTH-2: key "Jefe" repeated, "what do ya want for nothing?".
        { IntegrityAlgorithm.HmacSha2_256_128, Ascii(string.Concat(Enumerable.Repeat("Jefe", 8))), Ascii("what do ya want for nothing?"), "167f928588c5cc2eef8e3093caa0e87c" },
        { IntegrityAlgorithm.HmacSha2_384_192, Ascii(string.Concat(Enumerable.Repeat("Jefe", 12))), Ascii("what do ya want for nothing?"), "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d" },
        { IntegrityAlgorithm.HmacSha2_512_256, Ascii(string.Concat(Enumerable.Repeat("Jefe", 16))), Ascii("what do ya want for nothing?"), "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454" },
        // AUTH-3: key 0xaa x key length, data 0xdd x 50.
        { IntegrityAlgorithm.HmacSha2_256_128, string.Concat(Enumerable.Repeat("aa", 32)), string.Concat(Enumerable.Repeat("dd", 50)), "cdcb1220d1ecccea91e53aba3092f962" },
        { IntegrityAlgorithm.HmacSha2_384_192, string.Concat(Enumerable.Repeat("aa", 48)), string.Concat(Enumerable.Repeat("dd", 50)), "809f439be00274321d4a538652164b53554a508184a0c316" },
        { IntegrityAlgorithm.HmacSha2_512_256, string.Concat(Enumerable.Repeat("aa", 64)), string.Concat(Enumerable.Repeat("dd", 50)), "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8" },
        // RFC 2202 §3 test case 1, truncated to 96 bits (RFC 2404).
        { IntegrityAlgorithm.HmacSha1_96, string.Concat(Enumerable.Repeat("0b", 20)), "4869205468657265", "b617318655057264e28bc0b6" },
        // RFC 3566 §4.6 test cases 1-5 (AES-XCBC-MAC-96), key 0x00..0x0f.
        { IntegrityAlgorithm.AesXcbc96, "000102030405060708090a0b0c0d0e0f", "", "75f0251d528ac01c4573dfd5" },
        { IntegrityAlgorithm.AesXcbc96, "000102030405060708090a0b0c0d0e0f", "000102", "5b376580ae2f19afe7219cee" },
        { IntegrityAlgorithm.AesXcbc96, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f", "d2a246fa349b68a79998a439" },
        { IntegrityAlgorithm.AesXcbc96, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f10111213", "47f51b4564966215b8985c63" },
        { IntegrityAlgorithm.AesXcbc96, "000102030405060708090a0b0c0d0e0f", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "f54f0ec8d2b9f3d36807734b" },
        // RFC 4494 §4 test cases 1-4 (AES-CMAC-96).
        { IntegrityAlgorithm.AesCmac96, "2b7e151628aed2a6abf7158809cf4f3c", "", "bb1d6929e95937287fa37d12" },
        { IntegrityAlgorithm.AesCmac96, "2b7e151628aed2a6abf7158809cf4f3c", Convert.ToHexString(PrfTests.Rfc4493Message[..16]), "070a16b46b4d4144f79bdd9d" },
        { IntegrityAlgorithm.AesCmac96, "2b7e151628aed2a6abf7158809cf4f3c", Convert.ToHexString(PrfTests.Rfc4493Message[..40]), "dfa66747de9ae63030ca3261" },
        { IntegrityAlgorithm.AesCmac96, "2b7e151628aed2a6abf7158809cf4f3c", Convert.ToHexString(PrfTests.Rfc4493Message), "51f0bebf7e3b9d92fc497417" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    [Trait("RFC", "4868 2.7.2")]
    [Trait("RFC", "3566 4.6")]
    [Trait("RFC", "4494 4")]
    public void Truncated_mac_matches_published_vector_and_verifies(IntegrityAlgorithm algorithm, string key, string data, string expected)
    {
        var integrity = Integrity(algorithm);
        var icv = new byte[integrity.IcvSize];
        integrity.Compute(Hex.Bytes(key), Hex.Bytes(data), icv);
        Assert.Equal(expected, Hex.Of(icv));
        Assert.True(integrity.Verify(Hex.Bytes(key), Hex.Bytes(data), icv));
    }

    [Theory]
    [Trait("RFC", "7296 3.3.2")]
    [InlineData(IntegrityAlgorithm.HmacSha1_96, 20, 12)]
    [InlineData(IntegrityAlgorithm.HmacSha2_256_128, 32, 16)]
    [InlineData(IntegrityAlgorithm.HmacSha2_384_192, 48, 24)]
    [InlineData(IntegrityAlgorithm.HmacSha2_512_256, 64, 32)]
    [InlineData(IntegrityAlgorithm.AesXcbc96, 16, 12)]
    [InlineData(IntegrityAlgorithm.AesCmac96, 16, 12)]
    public void Key_and_icv_sizes_follow_the_transform_definition(IntegrityAlgorithm algorithm, int keySize, int icvSize)
    {
        var integrity = Integrity(algorithm);
        Assert.Equal(algorithm, integrity.Algorithm);
        Assert.Equal(keySize, integrity.KeySize);
        Assert.Equal(icvSize, integrity.IcvSize);
        Assert.True(Registry.IsSupported(algorithm));
    }

    [Theory]
    [InlineData(IntegrityAlgorithm.HmacSha1_96)]
    [InlineData(IntegrityAlgorithm.HmacSha2_256_128)]
    [InlineData(IntegrityAlgorithm.HmacSha2_512_256)]
    [InlineData(IntegrityAlgorithm.AesXcbc96)]
    [InlineData(IntegrityAlgorithm.AesCmac96)]
    public void Altered_data_or_icv_does_not_verify(IntegrityAlgorithm algorithm)
    {
        var integrity = Integrity(algorithm);
        var key = Hex.Counting(integrity.KeySize);
        var data = Encoding.ASCII.GetBytes("IKE_AUTH message body");
        var icv = new byte[integrity.IcvSize];
        integrity.Compute(key, data, icv);

        var alteredData = (byte[])data.Clone();
        alteredData[3] ^= 0x01;
        Assert.False(integrity.Verify(key, alteredData, icv));

        var alteredIcv = (byte[])icv.Clone();
        alteredIcv[^1] ^= 0x80;
        Assert.False(integrity.Verify(key, data, alteredIcv));
        Assert.False(integrity.Verify(key, data, icv.AsSpan(0, icv.Length - 1)));
    }

    [Fact]
    public void Unsupported_integrity_is_refused()
    {
        Assert.False(Registry.TryCreateIntegrity(IntegrityAlgorithm.HmacMd5_96, out _));
        Assert.False(Registry.TryCreateIntegrity(IntegrityAlgorithm.None, out _));
    }

    private static string Ascii(string text) => Convert.ToHexString(Encoding.ASCII.GetBytes(text));
}
