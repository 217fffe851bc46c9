using System.Security.Cryptography;
using System.Text;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Crypto;

/// <summary>
/// IKEv2 KDF known answers from NIST CAVP (SP 800-135 IKEv2 KDF sample vectors, "ikev2.rsp"):
/// SKEYSEED = prf(Ni | Nr, g^ir); DKM = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr);
/// DKM(Child SA) = prf+(SK_d, Ni | Nr); DKM(Child SA D-H) = prf+(SK_d, g^ir (new) | Ni | Nr);
/// SKEYSEED(Rekey) = prf(SK_d, g^ir (new) | Ni | Nr), with SK_d the first PRF-length octets of DKM.
/// </summary>
public class KeyDerivationTests
{
    private static readonly CryptoRegistry Registry = new();

    private static IPrf Prf(PrfAlgorithm algorithm)
    {
        Assert.True(Registry.TryCreatePrf(algorithm, out var prf));
        return prf;
    }

    private static class Sha1Vector
    {
        public static readonly byte[] Ni = Hex.Bytes("32b50d5f4a3763f3");
        public static readonly byte[] Nr = Hex.Bytes("9206a04b26564cb1");
        public static readonly byte[] Gir = Hex.Bytes("4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52");
        public static readonly byte[] GirNew = Hex.Bytes("863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330");
        public const ulong SpiI = 0x34c9e7c188868785;
        public const ulong SpiR = 0x3ff77d760d2b2199;
        public const string Skeyseed = "a9a7b222b59f8f48645f28a1db5b5f5d7479cba7";
        public const string Dkm =
            "a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002a2a63080e514a062768b76606f9fa5e9" +
            "92204fc5a670bde3f10d6b027113936a5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119" +
            "8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435a7a56cc4";
        public const string DkmChild =
            "8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c5811a8e7b5d1cdabd9560b2d5e092d1f24e" +
            "2d4b85eccdf0ad0dc9abd94b51ee71814ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf" +
            "285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e664994d234cb4";
        public const string DkmChildDh =
            "bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d37301628190e38c66232eab4b3ab14c400a519" +
            "7dd3730ed4820a8a10394d51e1c0400052f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a" +
            "05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054d56fd74c";
        public const string SkeyseedRekey = "63e81194946ebd05df7df5ebf5d8750056bf1f1d";
    }

    private static class Sha256Vector
    {
        public static readonly byte[] Ni = Hex.Bytes("3f302be1abcb28e1");
        public static readonly byte[] Nr = Hex.Bytes("8c332ee006064c9b");
        public static readonly byte[] Gir = Hex.Bytes("0f4d257d7a58fc4545c7d7a88119eee5d5c9690c5b4c989171d3abbfd99d1d29");
        public static readonly byte[] GirNew = Hex.Bytes("25f3b12d6f282739256e39bf54eda53b60ffcf379bb7bcc90c27b4c4c578616c");
        public const ulong SpiI = 0x40dac39e1e1a8640;
        public const ulong SpiR = 0x8619a1cf9a6e4c07;
        public const string Skeyseed = "5f00d1bd2c58ec224b1e6b71fa0f19a1faa7a193952c444411b47c1a9d8ba6fe";
        public const string Dkm =
            "0b137d669b0947d7d026d593f0305ad401ff0c471357d695778a9c7f4b4869ece98aca531188d16041b3bb936d2dbb3b" +
            "4993a6e768a809160de45d0283f273a6cdf6854379e31be72b8d3d1fa990cf9c5b015ca9f918a7df6253c958114a09d4" +
            "e1c19bdcd4db14b29d98db1a74ad405c588662c14a04d0d36aa4ab55e90f8986d12d4aad";
        public const string SkeyseedRekey = "2d63f6debc92048b4fef3889c4c99ca67d6496e0fac14a2bca9a2d6566ff2398";
    }

    private static byte[] Seed(byte[] ni, byte[] nr, ulong spiI, ulong spiR)
    {
        var seed = new byte[ni.Length + nr.Length + 16];
        ni.CopyTo(seed, 0);
        nr.CopyTo(seed, ni.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length), spiI);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(seed.AsSpan(ni.Length + nr.Length + 8), spiR);
        return seed;
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    public void Cavp_sha1_skeyseed_and_dkm_match()
    {
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, Sha1Vector.Ni, Sha1Vector.Nr, Sha1Vector.Gir);
        Assert.Equal(Sha1Vector.Skeyseed, Hex.Of(skeyseed));

        var dkm = KeyDerivation.PrfPlus(prf, skeyseed, Seed(Sha1Vector.Ni, Sha1Vector.Nr, Sha1Vector.SpiI, Sha1Vector.SpiR), 132);
        Assert.Equal(Sha1Vector.Dkm, Hex.Of(dkm));
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    public void Ike_keys_are_consecutive_slices_of_the_cavp_sha1_dkm()
    {
        // {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}: 3 x 20 + 2 x 20 + 2 x 16 = 132 octets.
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var keys = KeyDerivation.DeriveIkeKeys(prf, Hex.Bytes(Sha1Vector.Skeyseed), Sha1Vector.Ni, Sha1Vector.Nr,
            Sha1Vector.SpiI, Sha1Vector.SpiR, encryptionKeySize: 16, integrityKeySize: 20);
        var joined = Hex.Of([.. keys.SkD, .. keys.SkAi, .. keys.SkAr, .. keys.SkEi, .. keys.SkEr, .. keys.SkPi, .. keys.SkPr]);
        Assert.Equal(Sha1Vector.Dkm, joined);
        Assert.Equal(20, keys.SkD.Length);
        Assert.Equal(20, keys.SkAi.Length);
        Assert.Equal(16, keys.SkEr.Length);
        Assert.Equal(20, keys.SkPr.Length);
    }

    [Fact]
    [Trait("RFC", "7296 2.17")]
    public void Cavp_sha1_child_sa_keymat_with_and_without_new_dh_matches()
    {
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var skD = Hex.Bytes(Sha1Vector.Dkm)[..20];

        // 132 octets = 2 x (encryption 36 + integrity 30), taken in the order encr_i, integ_i, encr_r, integ_r.
        var child = KeyDerivation.DeriveChildKeys(prf, skD, [], Sha1Vector.Ni, Sha1Vector.Nr, 36, 30);
        Assert.Equal(Sha1Vector.DkmChild, Hex.Of([.. child.EncrI, .. child.IntegI, .. child.EncrR, .. child.IntegR]));
        Assert.Equal(Sha1Vector.DkmChild[..72], Hex.Of(child.EncrI));
        Assert.Equal(Sha1Vector.DkmChild[72..132], Hex.Of(child.IntegI));

        var pfs = KeyDerivation.DeriveChildKeys(prf, skD, Sha1Vector.GirNew, Sha1Vector.Ni, Sha1Vector.Nr, 36, 30);
        Assert.Equal(Sha1Vector.DkmChildDh, Hex.Of([.. pfs.EncrI, .. pfs.IntegI, .. pfs.EncrR, .. pfs.IntegR]));
    }

    [Fact]
    [Trait("RFC", "7296 2.18")]
    public void Cavp_sha1_rekey_skeyseed_matches()
    {
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var skD = Hex.Bytes(Sha1Vector.Dkm)[..20];
        var skeyseed = KeyDerivation.ComputeRekeySkeyseed(prf, skD, Sha1Vector.GirNew, Sha1Vector.Ni, Sha1Vector.Nr);
        Assert.Equal(Sha1Vector.SkeyseedRekey, Hex.Of(skeyseed));
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    [Trait("RFC", "7296 2.18")]
    public void Cavp_sha256_skeyseed_dkm_and_rekey_skeyseed_match()
    {
        var prf = Prf(PrfAlgorithm.HmacSha2_256);
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, Sha256Vector.Ni, Sha256Vector.Nr, Sha256Vector.Gir);
        Assert.Equal(Sha256Vector.Skeyseed, Hex.Of(skeyseed));

        var dkm = KeyDerivation.PrfPlus(prf, skeyseed, Seed(Sha256Vector.Ni, Sha256Vector.Nr, Sha256Vector.SpiI, Sha256Vector.SpiR), 132);
        Assert.Equal(Sha256Vector.Dkm, Hex.Of(dkm));

        var rekey = KeyDerivation.ComputeRekeySkeyseed(prf, dkm[..32], Sha256Vector.GirNew, Sha256Vector.Ni, Sha256Vector.Nr);
        Assert.Equal(Sha256Vector.SkeyseedRekey, Hex.Of(rekey));
    }

    [Fact]
    [Trait("RFC", "7296 2.13")]
    public void Prf_plus_refuses_more_than_255_blocks_and_is_a_prefix_function()
    {
        var prf = Prf(PrfAlgorithm.HmacSha2_256);
        var key = Hex.Counting(32);
        var seed = Hex.Counting(40);
        var longest = KeyDerivation.PrfPlus(prf, key, seed, 255 * 32);
        Assert.Equal(255 * 32, longest.Length);
        Assert.Equal(longest[..50], KeyDerivation.PrfPlus(prf, key, seed, 50));
        Assert.Empty(KeyDerivation.PrfPlus(prf, key, seed, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeyDerivation.PrfPlus(prf, key, seed, 255 * 32 + 1));
    }

    [Theory]
    [Trait("RFC", "7296 2.14")]
    [InlineData(PrfAlgorithm.AesXcbc)]
    [InlineData(PrfAlgorithm.AesCmac)]
    public void Fixed_key_prf_skeyseed_uses_the_first_64_bits_of_each_nonce(PrfAlgorithm algorithm)
    {
        var prf = Prf(algorithm);
        var ni = Hex.Counting(32);
        var nr = Hex.Repeat(0xa5, 24);
        var gir = Hex.Counting(256);
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, ni, nr, gir);
        Assert.Equal(prf.Compute([.. ni[..8], .. nr[..8]], gir), skeyseed);
        Assert.NotEqual(prf.Compute([.. ni, .. nr], gir), skeyseed);

        var keys = KeyDerivation.DeriveIkeKeys(prf, skeyseed, ni, nr, 1, 2, encryptionKeySize: 20, integrityKeySize: 0);
        Assert.Equal(16, keys.SkD.Length);
        Assert.Equal(16, keys.SkPi.Length);
        Assert.Empty(keys.SkAi);
        Assert.Equal(20, keys.SkEi.Length);
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    public void Aes_xcbc_skeyseed_and_keymat_match_an_independent_implementation()
    {
        // NSS's IKE AES-XCBC known answers (gtests ike_aesxcbc_vectors.h): the CAVP SHA-1 inputs run
        // through PRF_AES128_XCBC. Not an RFC vector, but a second implementation of RFC 4434 + §2.14.
        var prf = Prf(PrfAlgorithm.AesXcbc);
        var skeyseed = KeyDerivation.ComputeSkeyseed(prf, Sha1Vector.Ni, Sha1Vector.Nr, Sha1Vector.Gir);
        Assert.Equal("08b95345c9557240ddc98d6e1dfda875", Hex.Of(skeyseed));
        var dkm = KeyDerivation.PrfPlus(prf, skeyseed, Seed(Sha1Vector.Ni, Sha1Vector.Nr, Sha1Vector.SpiI, Sha1Vector.SpiR), 132);
        Assert.Equal(
            "efa38ecee9fd05062f64b655105436d54b4728da66f3bc5768636170ff5017ab082342a683e7144a58d549c53d4575a2" +
            "897d14c7c687040e86384065456b8dcd8aaea88b85b5e4d8ab2f61c015859337000550cda1750a15c1f90af0ddd296e0" +
            "a7f291afe46295dd3108078bd8eadf09bc614c205a7c283907c3e6a384ad3f5373887e83",
            Hex.Of(dkm));
    }

    [Fact]
    [Trait("RFC", "7296 2.15")]
    public void Psk_auth_is_prf_of_keyed_pad_over_signed_octets()
    {
        var prf = Prf(PrfAlgorithm.HmacSha2_256);
        var psk = Encoding.UTF8.GetBytes("correct horse battery staple");
        var signedOctets = Hex.Counting(200);
        var inner = HMACSHA256.HashData(psk, Encoding.ASCII.GetBytes("Key Pad for IKEv2"));
        var expected = HMACSHA256.HashData(inner, signedOctets);
        Assert.Equal(expected, KeyDerivation.ComputePskAuth(prf, psk, signedOctets));
    }

    [Fact]
    public void Key_containers_never_print_key_bytes()
    {
        var prf = Prf(PrfAlgorithm.HmacSha1);
        var ike = KeyDerivation.DeriveIkeKeys(prf, Hex.Bytes(Sha1Vector.Skeyseed), Sha1Vector.Ni, Sha1Vector.Nr,
            Sha1Vector.SpiI, Sha1Vector.SpiR, 16, 20);
        var child = KeyDerivation.DeriveChildKeys(prf, ike.SkD, [], Sha1Vector.Ni, Sha1Vector.Nr, 16, 20);
        var texts = new[] { ike.ToString(), child.ToString() };
        var keys = new[] { ike.SkD, ike.SkAi, ike.SkAr, ike.SkEi, ike.SkEr, ike.SkPi, ike.SkPr, child.EncrI, child.IntegI, child.EncrR, child.IntegR };
        foreach (var text in texts)
        {
            foreach (var key in keys)
            {
                Assert.DoesNotContain(Hex.Of(key[..4]), text, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain(Convert.ToBase64String(key)[..6], text, StringComparison.Ordinal);
            }
        }

        Assert.Contains("octets", ike.ToString());
        ike.Clear();
        child.Clear();
        Assert.All(ike.SkEi, b => Assert.Equal(0, b));
        Assert.All(child.IntegR, b => Assert.Equal(0, b));
    }
}
