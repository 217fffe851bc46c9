using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

/// <summary>The packet path allocates nothing once an SA is installed (STYLE: "a test checks that a burst allocates zero bytes").</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(EspEncryptionAlgorithm.AesGcm16_128, EspIntegrityAlgorithm.None, false)]
    [InlineData(EspEncryptionAlgorithm.AesGcm16_256, EspIntegrityAlgorithm.None, true)]
    [InlineData(EspEncryptionAlgorithm.ChaCha20Poly1305, EspIntegrityAlgorithm.None, false)]
    [InlineData(EspEncryptionAlgorithm.AesGmac128, EspIntegrityAlgorithm.None, false)]
    [InlineData(EspEncryptionAlgorithm.AesCtr128, EspIntegrityAlgorithm.HmacSha2_256_128, true)]
    [InlineData(EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha1_96, false)]
    [InlineData(EspEncryptionAlgorithm.Null, EspIntegrityAlgorithm.HmacSha2_512_256, false)]
    public void Encrypt_decrypt_burst_allocates_zero_bytes(EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity, bool esn)
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, encryption, integrity, esn: esn), new FixedIvSource(new byte[16]));
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, encryption, integrity, esn: esn, replayWindow: 1024));
        var inner = Udp4(payload: 1000);
        var packet = new byte[2048];
        var clear = new byte[2048];

        // Warm up: JIT, crypto contexts.
        for (int i = 0; i < 64; i++)
        {
            Burst(outbound, inbound, inner, packet, clear);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Burst(outbound, inbound, inner, packet, clear);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static void Burst(EspOutboundCodec outbound, EspInboundCodec inbound, byte[] inner, byte[] packet, byte[] clear)
    {
        if (outbound.Encapsulate(inner, packet, out int written) != DropReason.None ||
            inbound.DecapsulatePacket(packet.AsSpan(0, written), clear, out _) != DropReason.None)
        {
            throw new InvalidOperationException("round trip failed");
        }
    }
}
