using System.Buffers.Binary;
using System.Net;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

/// <summary>
/// Byte-exact checks against published ESP examples: the AES-GCM ESP packets of
/// draft-mcgrew-gcm-test-01 §4 (RFC 4106 has none) and the ESP example of RFC 7634 Appendix A.
/// </summary>
public sealed class PublishedVectorTests
{
    /// <summary>
    /// draft-mcgrew-gcm-test-01 §4: key, salt, SPI, 64-bit extended sequence number (each packet
    /// uses the 12-octet AAD SPI || Seq high || Seq low of RFC 4106 §5), IV, plaintext (the ESP
    /// payload with its trailer), ciphertext || ICV.
    /// </summary>
    public static TheoryData<string, string, string, uint, ulong, string, string, string> McGrewGcmPackets => new()
    {
        {
            "1 (AES-128, ESN)", "4c80cdefbb5d10da906ac73c3613a634", "2e443b68", 0x00004321, 0x8765432100000000, "4956ed7e3b244cfe",
            "45000048699a000080114db7c0a80102c0a801010a9bf15638d301000001000000000000045f736970045f756470037369700963796265726369747902646b000021000101020201",
            "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce61bc17d768fd9732459018148f6cbe722fd04796562dfdb4"
        },
        {
            "2 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f", "57690e43", 0x42f67e3f, 0x1010101010101010, "4e280000a2fca1a3",
            "4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
            "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320ae0d731cc978ecafaeae88f00e80d6e48"
        },
        {
            "3 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f", "57690e43", 0x42f67e3f, 0x1010101010101010, "4e280000a2fca1a3",
            "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
            "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed369f071f35e034be95f112e4e7d05d35"
        },
        {
            "4 (AES-128, ESN)", "abbccddef00112233445566778899aab", "decaf888", 0x00000100, 0x0000000000000001, "cafedebaceface74",
            "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101",
            "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e65f354f75ff17015769623436"
        },
        {
            "5 (AES-128, ESN)", "3de09874b388e6491988d0c3607eae1f", "57690e43", 0x3f7ef642, 0x1010101010101010, "4e280000a2fca1a3",
            "45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
            "fba2caa8c6c5f9f0f22ca54a061210ad3f6e5791cf1aca210d117cec9c35791765acbd8701ad79845bf9fe3fba487bc96321930684eecadb56912546e7a95c9740d7cb05"
        },
        {
            "6 (AES-256, ESN)", "abbccddef00112233445566778899aababbccddef00112233445566778899aab", "73616c74", 0x17405e67, 0x156f3126dd0db99b, "616e640169766563",
            "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001",
            "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e451626c2415771e3b7eebca614c89b35"
        },
        {
            "7 (AES-256, ESN, highest sequence number)", "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961", "7475726e", 0x796b6963, 0xffffffffffffffff, "333021696765746d",
            "45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201",
            "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9d0937ba2945f669368661a329fb4c053"
        },
    };

    [Theory]
    [MemberData(nameof(McGrewGcmPackets))]
    [Trait("RFC", "4106 5")]
    public void Gcm_seal_matches_mcgrew_viega_esp_packet(string name, string key, string salt, uint spi, ulong sequence, string iv, string plaintext, string ciphertextAndIcv)
    {
        Assert.NotEmpty(name);
        byte[] keyMaterial = [.. Hex(key), .. Hex(salt)];
        var encryption = keyMaterial.Length == 20 ? EspEncryptionAlgorithm.AesGcm16_128 : EspEncryptionAlgorithm.AesGcm16_256;
        var sa = Sa(EspDirection.Outbound, encryption, spi: spi, esn: true);
        sa = With(sa, keyMaterial);
        using var cipher = new EspCipher(sa);

        byte[] pt = Hex(plaintext);
        byte[] esp = new byte[8 + 8 + pt.Length + 16];
        BinaryPrimitives.WriteUInt32BigEndian(esp, spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), (uint)sequence);
        Hex(iv).CopyTo(esp, 8);
        pt.CopyTo(esp, 16);
        cipher.Seal(esp, sequence);

        Assert.Equal(ciphertextAndIcv, Convert.ToHexStringLower(esp.AsSpan(16)));

        var opened = new byte[pt.Length];
        Assert.True(cipher.Open(esp, sequence, opened));
        Assert.Equal(pt, opened);
    }

    [Fact]
    [Trait("RFC", "4106 5")]
    public void Gcm_mcgrew_viega_packet_with_one_flipped_bit_fails_integrity()
    {
        var sa = With(Sa(EspDirection.Inbound, spi: 0x100, replayWindow: 64, esn: true), [.. Hex("abbccddef00112233445566778899aab"), .. Hex("decaf888")]);
        using var codec = new EspInboundCodec(sa);
        byte[] esp = [.. Hex("0000010000000001cafedebaceface74"),
            .. Hex("18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68651f57e65f354f75ff17015769623436")];
        esp[20] ^= 0x01;
        var inner = new byte[256];
        Assert.Equal(DropReason.IntegrityFailed, codec.Decapsulate(esp, inner, out int written));
        Assert.Equal(0, written);
        Assert.Equal(0UL, codec.HighestSequenceNumber);
    }

    /// <summary>RFC 7634 Appendix A: a 84-octet ICMP echo in tunnel mode, SPI 0x01020304, sequence 5.</summary>
    [Fact]
    [Trait("RFC", "7634 A")]
    public void ChaCha20Poly1305_encapsulation_matches_rfc7634_appendix_a()
    {
        byte[] keyMaterial = Hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f a0a1a2a3");
        byte[] inner = Hex(
            "45000054a6f200004001e778c6336405c000020508005b7a3a080000553bec10" +
            "0007362708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223" +
            "2425262728292a2b2c2d2e2f3031323334353637");
        byte[] expectedEsp = Hex(
            "0102030400000005 1011121314151617" +
            "24039428b97f417e3c13753a4f05087b67c352e6a7fab1b982d466ef407ae5c6" +
            "14ee8099d52844eb61aa95dfab4c02f72aa71e7c4c4f64c9befe2facc638e8f3" +
            "cbec163fac469b502773f6fb94e664da9165b82829f641e0" +
            "76aaa8266b7fb0f7b11b369907e1ad43");
        var sa = With(Sa(EspDirection.Outbound, EspEncryptionAlgorithm.ChaCha20Poly1305, spi: 0x01020304, initialSequence: 4), keyMaterial);
        using var outbound = new EspOutboundCodec(sa, new FixedIvSource(Hex("1011121314151617")));

        var packet = new byte[256];
        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written));

        Assert.Equal(20 + expectedEsp.Length, written);
        Assert.Equal(Convert.ToHexStringLower(expectedEsp), Convert.ToHexStringLower(packet.AsSpan(20, written - 20)));
        Assert.Equal(50, packet[9]);
        Assert.True(Ipv4HeaderChecksumIsValid(packet));

        var inboundSa = With(Sa(EspDirection.Inbound, EspEncryptionAlgorithm.ChaCha20Poly1305, spi: 0x01020304), keyMaterial);
        using var inbound = new EspInboundCodec(inboundSa);
        var clear = new byte[256];
        Assert.Equal(DropReason.None, inbound.Decapsulate(expectedEsp, clear, out int innerLength));
        Assert.Equal(inner, clear.AsSpan(0, innerLength).ToArray());
        Assert.Equal(5UL, inbound.HighestSequenceNumber);
    }

    private static EspSa With(EspSa sa, byte[] keyMaterial) => new()
    {
        Spi = sa.Spi,
        Direction = sa.Direction,
        TunnelSource = sa.TunnelSource,
        TunnelDestination = sa.TunnelDestination,
        Encryption = sa.Encryption,
        EncryptionKey = keyMaterial,
        ExtendedSequenceNumbers = sa.ExtendedSequenceNumbers,
        ReplayWindow = sa.ReplayWindow,
        InitialSequenceNumber = sa.InitialSequenceNumber,
    };
}
