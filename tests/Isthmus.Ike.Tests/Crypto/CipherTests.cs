using System.Text;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Crypto;

public class CipherTests
{
    private static readonly CryptoRegistry Registry = new();

    private static IIkeCipher Cipher(EncryptionAlgorithm algorithm, int keyLengthBits)
    {
        Assert.True(Registry.TryCreateCipher(algorithm, keyLengthBits, out var cipher));
        return cipher;
    }

    [Fact]
    [Trait("RFC", "3602 4")]
    public void Aes_cbc_matches_rfc3602_case_1()
    {
        var cipher = Cipher(EncryptionAlgorithm.AesCbc, 128);
        var key = Hex.Bytes("06a9214036b8a15b512e03d534120006");
        var iv = Hex.Bytes("3dafba429d9eb430b422da802c9fac41");
        var plaintext = Encoding.ASCII.GetBytes("Single block msg");
        var ciphertext = new byte[16];
        cipher.Encrypt(key, iv, default, plaintext, ciphertext, default);
        Assert.Equal("e353779c1079aeb82708942dbe77181a", Hex.Of(ciphertext));

        var decrypted = new byte[16];
        Assert.True(cipher.Decrypt(key, iv, default, ciphertext, default, decrypted));
        Assert.Equal(plaintext, decrypted);
    }

    public static TheoryData<int, string, string, string, string> Rfc3686Vectors => new()
    {
        // RFC 3686 §6 test vectors #1-#9; key material = AES key || 4-octet nonce (RFC 5930 §2).
        { 128, "ae6852f8121067cc4bf7a5765577f39e 00000030", "0000000000000000", "53696e676c6520626c6f636b206d7367",
          "e4095d4fb7a7b3792d6175a3261311b8" },
        { 128, "7e24067817fae0d743d6ce1f32539163 006cb6db", "c0543b59da48d90b", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28" },
        { 128, "7691be035e5020a8ac6e618529f9a0dc 00e0017b", "27777f3f4a1786f0", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
          "c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f" },
        { 192, "16af5b145fc9f579c175f93e3bfb0eed863d06ccfdb78515 00000048", "36733c147d6d93cb", "53696e676c6520626c6f636b206d7367",
          "4b55384fe259c9c84e7935a003cbe928" },
        { 192, "7c5cb2401b3dc33c19e7340819e0f69c678c3db8e6f6a91a 0096b03b", "020c6eadc2cb500d", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "453243fc609b23327edfaafa7131cd9f8490701c5ad4a79cfc1fe0ff42f4fb00" },
        { 192, "02bf391ee8ecb159b959617b0965279bf59b60a786d3e0fe 0007bdfd", "5cbd60278dcc0912", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
          "96893fc55e5c722f540b7dd1ddf7e758d288bc95c69165884536c811662f2188abee0935" },
        { 256, "776beff2851db06f4c8a0542c8696f6c6a81af1eec96b4d37fc1d689e6c1c104 00000060", "db5672c97aa8f0b2", "53696e676c6520626c6f636b206d7367",
          "145ad01dbf824ec7560863dc71e3e0c0" },
        { 256, "f6d66d6bd52d59bb0796365879eff886c66dd51a5b6a99744b50590c87a23884 00faac24", "c1585ef15a43d875", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "f05e231b3894612c49ee000b804eb2a9b8306b508f839d6a5530831d9344af1c" },
        { 256, "ff7a617ce69148e4f1726e2f43581de2aa62d9f805532edff1eed687fb54153d 001cc5b7", "51a51d70a1c11148", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
          "eb6c52821d0bbbf7ce7594462aca4faab407df866569fd07f48cc0b583d6071f1ec0e6b8" },
    };

    [Theory]
    [MemberData(nameof(Rfc3686Vectors))]
    [Trait("RFC", "3686 6")]
    [Trait("RFC", "5930 2")]
    public void Aes_ctr_matches_rfc3686_vectors(int bits, string keyMaterial, string iv, string plaintext, string expected)
    {
        var cipher = Cipher(EncryptionAlgorithm.AesCtr, bits);
        var ciphertext = new byte[plaintext.Length / 2];
        cipher.Encrypt(Hex.Bytes(keyMaterial), Hex.Bytes(iv), default, Hex.Bytes(plaintext), ciphertext, default);
        Assert.Equal(expected, Hex.Of(ciphertext));

        var decrypted = new byte[ciphertext.Length];
        Assert.True(cipher.Decrypt(Hex.Bytes(keyMaterial), Hex.Bytes(iv), default, ciphertext, default, decrypted));
        Assert.Equal(plaintext, Hex.Of(decrypted));
    }

    private const string GcmPlaintext =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72" +
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";

    public static TheoryData<EncryptionAlgorithm, int, string, string, string, string> GcmVectors => new()
    {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 3, 4, 9, 15 and 16,
        // in the RFC 5282 layout: key material = key || salt (first 4 nonce octets), IV = last 8.
        { EncryptionAlgorithm.AesGcm16, 128, "feffe9928665731c6d6a8f9467308308 cafebabe", "", GcmPlaintext,
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" +
          "4d5c2af327cd64a62cf35abd2ba6fab4" },
        { EncryptionAlgorithm.AesGcm8, 128, "feffe9928665731c6d6a8f9467308308 cafebabe", "", GcmPlaintext,
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" +
          "4d5c2af327cd64a6" },
        { EncryptionAlgorithm.AesGcm12, 128, "feffe9928665731c6d6a8f9467308308 cafebabe", "", GcmPlaintext,
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985" +
          "4d5c2af327cd64a62cf35abd" },
        { EncryptionAlgorithm.AesGcm16, 128, "feffe9928665731c6d6a8f9467308308 cafebabe", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GcmPlaintext[..120],
          "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
          "5bc94fbc3221a5db94fae95ae7121a47" },
        { EncryptionAlgorithm.AesGcm16, 192, "feffe9928665731c6d6a8f9467308308feffe9928665731c cafebabe", "", GcmPlaintext,
          "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710acade256" +
          "9924a7c8587336bfb118024db8674a14" },
        { EncryptionAlgorithm.AesGcm16, 256, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe", "", GcmPlaintext,
          "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad" +
          "b094dac5d93471bdec1a502270e3cc6c" },
        { EncryptionAlgorithm.AesGcm16, 256, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308 cafebabe", "feedfacedeadbeeffeedfacedeadbeefabaddad2", GcmPlaintext[..120],
          "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" +
          "76fc6ece0f4e1768cddf8853bb2d551b" },
    };

    [Theory]
    [MemberData(nameof(GcmVectors))]
    [Trait("RFC", "5282 7.1")]
    public void Aes_gcm_matches_mcgrew_viega_vectors(EncryptionAlgorithm algorithm, int bits, string keyMaterial, string aad, string plaintext, string expectedCiphertextAndIcv)
        => AssertAeadVector(Cipher(algorithm, bits), keyMaterial, "facedbaddecaf888", aad, plaintext, expectedCiphertextAndIcv);

    [Fact]
    [Trait("RFC", "8439 2.8.2")]
    public void Chacha20_poly1305_matches_rfc8439_aead_example()
    {
        var plaintext = Convert.ToHexString(Encoding.ASCII.GetBytes(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."));
        AssertAeadVector(
            Cipher(EncryptionAlgorithm.ChaCha20Poly1305, 0),
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f 07000000",
            "4041424344454647",
            "50515253c0c1c2c3c4c5c6c7",
            plaintext,
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b" +
            "1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
            "3ff4def08e4b7a9de576d26586cec64b6116" +
            "1ae10b594f09e26a7e902ecbd0600691");
    }

    [Fact]
    [Trait("RFC", "7634 A.2")]
    public void Chacha20_poly1305_matches_rfc7634_ikev2_example()
    {
        AssertAeadVector(
            Cipher(EncryptionAlgorithm.ChaCha20Poly1305, 256),
            "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3",
            "1011121314151617",
            "c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e2025000000000900000045 29000029",
            "0000000c000040010000000a00",
            "610394701f8d017f7c12924889" + "6b71bfe25236efd7cdc67066906315b2");
    }

    private static void AssertAeadVector(IIkeCipher cipher, string keyMaterial, string iv, string aad, string plaintext, string expectedCiphertextAndIcv)
    {
        var key = Hex.Bytes(keyMaterial);
        var ivBytes = Hex.Bytes(iv);
        var aadBytes = Hex.Bytes(aad);
        var plain = Hex.Bytes(plaintext);
        var ciphertext = new byte[plain.Length];
        var icv = new byte[cipher.IcvSize];
        cipher.Encrypt(key, ivBytes, aadBytes, plain, ciphertext, icv);
        Assert.Equal(expectedCiphertextAndIcv, Hex.Of(ciphertext) + Hex.Of(icv));

        var decrypted = new byte[plain.Length];
        Assert.True(cipher.Decrypt(key, ivBytes, aadBytes, ciphertext, icv, decrypted));
        Assert.Equal(plain, decrypted);
    }

    public static TheoryData<EncryptionAlgorithm, int> AllCiphers => new()
    {
        { EncryptionAlgorithm.AesCbc, 128 }, { EncryptionAlgorithm.AesCbc, 192 }, { EncryptionAlgorithm.AesCbc, 256 },
        { EncryptionAlgorithm.AesCtr, 128 }, { EncryptionAlgorithm.AesCtr, 192 }, { EncryptionAlgorithm.AesCtr, 256 },
        { EncryptionAlgorithm.AesGcm8, 128 }, { EncryptionAlgorithm.AesGcm8, 192 }, { EncryptionAlgorithm.AesGcm8, 256 },
        { EncryptionAlgorithm.AesGcm12, 128 }, { EncryptionAlgorithm.AesGcm12, 192 }, { EncryptionAlgorithm.AesGcm12, 256 },
        { EncryptionAlgorithm.AesGcm16, 128 }, { EncryptionAlgorithm.AesGcm16, 192 }, { EncryptionAlgorithm.AesGcm16, 256 },
        { EncryptionAlgorithm.ChaCha20Poly1305, 0 }, { EncryptionAlgorithm.ChaCha20Poly1305, 256 },
        { EncryptionAlgorithm.Des3, 0 }, { EncryptionAlgorithm.Des3, 192 },
        { EncryptionAlgorithm.Blowfish, 0 }, { EncryptionAlgorithm.Blowfish, 128 }, { EncryptionAlgorithm.Blowfish, 256 }, { EncryptionAlgorithm.Blowfish, 448 },
    };

    [Theory]
    [MemberData(nameof(AllCiphers))]
    [Trait("RFC", "7296 3.14")]
    public void Every_cipher_round_trips_and_a_different_iv_changes_the_ciphertext(EncryptionAlgorithm algorithm, int bits)
    {
        var cipher = Cipher(algorithm, bits);
        var key = Hex.Counting(cipher.KeySize);
        var iv1 = Hex.Repeat(0x11, cipher.IvSize);
        var iv2 = Hex.Repeat(0x22, cipher.IvSize);
        var aad = Encoding.ASCII.GetBytes("IKE header and SK payload header");
        int length = 3 * Math.Max(cipher.BlockSize, 16);
        var plaintext = Hex.Counting(length);

        var c1 = new byte[length];
        var icv1 = new byte[cipher.IcvSize];
        cipher.Encrypt(key, iv1, aad, plaintext, c1, icv1);
        var c2 = new byte[length];
        var icv2 = new byte[cipher.IcvSize];
        cipher.Encrypt(key, iv2, aad, plaintext, c2, icv2);

        Assert.NotEqual(plaintext, c1);
        Assert.NotEqual(c1, c2);
        var decrypted = new byte[length];
        Assert.True(cipher.Decrypt(key, iv1, aad, c1, icv1, decrypted));
        Assert.Equal(plaintext, decrypted);
    }

    [Theory]
    [Trait("RFC", "5282 3")]
    [InlineData(EncryptionAlgorithm.AesGcm8, 128)]
    [InlineData(EncryptionAlgorithm.AesGcm12, 192)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 256)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 256)]
    public void Aead_decrypt_refuses_altered_ciphertext_icv_or_aad(EncryptionAlgorithm algorithm, int bits)
    {
        var cipher = Cipher(algorithm, bits);
        var key = Hex.Counting(cipher.KeySize);
        var iv = Hex.Repeat(0x42, cipher.IvSize);
        var aad = Hex.Counting(28);
        var plaintext = Hex.Counting(45);
        var ciphertext = new byte[plaintext.Length];
        var icv = new byte[cipher.IcvSize];
        cipher.Encrypt(key, iv, aad, plaintext, ciphertext, icv);
        var output = new byte[plaintext.Length];

        var badCiphertext = (byte[])ciphertext.Clone();
        badCiphertext[7] ^= 0x01;
        Assert.False(cipher.Decrypt(key, iv, aad, badCiphertext, icv, output));
        Assert.All(output, b => Assert.Equal(0, b));

        var badIcv = (byte[])icv.Clone();
        badIcv[0] ^= 0x01;
        Assert.False(cipher.Decrypt(key, iv, aad, ciphertext, badIcv, output));

        var badAad = (byte[])aad.Clone();
        badAad[^1] ^= 0x01;
        Assert.False(cipher.Decrypt(key, iv, badAad, ciphertext, icv, output));

        Assert.False(cipher.Decrypt(key, iv, aad, ciphertext, icv.AsSpan(1), output));
        Assert.True(cipher.Decrypt(key, iv, aad, ciphertext, icv, output));
    }

    [Theory]
    [Trait("RFC", "7296 3.3.5")]
    [InlineData(EncryptionAlgorithm.AesCbc, 128, 16, 16, 16, false, 0)]
    [InlineData(EncryptionAlgorithm.AesCbc, 256, 32, 16, 16, false, 0)]
    [InlineData(EncryptionAlgorithm.AesCtr, 128, 20, 8, 1, false, 0)]
    [InlineData(EncryptionAlgorithm.AesCtr, 256, 36, 8, 1, false, 0)]
    [InlineData(EncryptionAlgorithm.AesGcm8, 128, 20, 8, 1, true, 8)]
    [InlineData(EncryptionAlgorithm.AesGcm12, 192, 28, 8, 1, true, 12)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 256, 36, 8, 1, true, 16)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 0, 36, 8, 1, true, 16)]
    [InlineData(EncryptionAlgorithm.Des3, 0, 24, 8, 8, false, 0)]
    [InlineData(EncryptionAlgorithm.Blowfish, 0, 16, 8, 8, false, 0)]
    [InlineData(EncryptionAlgorithm.Blowfish, 448, 56, 8, 8, false, 0)]
    public void Sizes_follow_the_transform_definition(EncryptionAlgorithm algorithm, int bits, int keySize, int ivSize, int blockSize, bool aead, int icvSize)
    {
        var cipher = Cipher(algorithm, bits);
        Assert.Equal(algorithm, cipher.Algorithm);
        Assert.Equal(keySize, cipher.KeySize);
        Assert.Equal(ivSize, cipher.IvSize);
        Assert.Equal(blockSize, cipher.BlockSize);
        Assert.Equal(aead, cipher.IsAead);
        Assert.Equal(icvSize, cipher.IcvSize);
        Assert.Equal(aead, Registry.IsAead(algorithm));
    }

    [Theory]
    [Trait("RFC", "7296 3.3.5")]
    [InlineData(EncryptionAlgorithm.AesCbc, 0)]
    [InlineData(EncryptionAlgorithm.AesCbc, 64)]
    [InlineData(EncryptionAlgorithm.AesCtr, 512)]
    [InlineData(EncryptionAlgorithm.AesGcm16, 0)]
    [InlineData(EncryptionAlgorithm.AesGcm8, 160)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, 128)]
    [InlineData(EncryptionAlgorithm.Des3, 128)]
    [InlineData(EncryptionAlgorithm.Blowfish, 32)]
    [InlineData(EncryptionAlgorithm.Blowfish, 456)]
    [InlineData(EncryptionAlgorithm.Blowfish, 130)]
    [InlineData(EncryptionAlgorithm.Null, 0)]
    [InlineData(EncryptionAlgorithm.AesCcm16, 128)]
    public void Unsupported_algorithm_or_key_length_is_refused(EncryptionAlgorithm algorithm, int bits)
    {
        Assert.False(Registry.TryCreateCipher(algorithm, bits, out var cipher));
        Assert.Null(cipher);
        Assert.False(Registry.IsSupported(algorithm, bits));
    }

    [Fact]
    public void Cbc_decrypt_refuses_ciphertext_that_is_not_block_aligned()
    {
        var cipher = Cipher(EncryptionAlgorithm.AesCbc, 128);
        var output = new byte[20];
        Assert.False(cipher.Decrypt(Hex.Counting(16), Hex.Counting(16), default, Hex.Counting(20), default, output));
    }
}
