using System.Buffers.Binary;
using System.Net;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

/// <summary>Malformed, forged and replayed packets: each is dropped with one reason and nothing throws.</summary>
public sealed class HostileInputTests
{
    private static readonly EspSa Outbound = Sa(EspDirection.Outbound);
    private static readonly EspSa Inbound = Sa(EspDirection.Inbound);

    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public void Replayed_packet_is_dropped_and_counted_as_replay()
    {
        using var outbound = new EspOutboundCodec(Outbound);
        using var inbound = new EspInboundCodec(Inbound);
        var packet = Encapsulate(outbound, Udp4());
        var clear = new byte[2000];
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(packet, clear, out _));
        Assert.Equal(DropReason.Replay, inbound.DecapsulatePacket(packet, clear, out int written));
        Assert.Equal(0, written);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1024)]
    [InlineData(4096)]
    [Trait("RFC", "4303 3.4.3")]
    public void Window_accepts_its_left_edge_and_drops_one_beyond_it(int window)
    {
        var outboundSa = Sa(EspDirection.Outbound);
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, replayWindow: window));
        var clear = new byte[2000];
        ulong top = (ulong)window + 500;
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top), clear, out _));

        // The window covers top - window + 1 .. top.
        Assert.Equal(DropReason.ReplayTooOld, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - (ulong)window), clear, out _));
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - (ulong)window + 1), clear, out _));
        Assert.Equal(DropReason.Replay, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - (ulong)window + 1), clear, out _));
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - 1), clear, out _));

        // Moving the window by almost its whole width keeps the bits still inside it.
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top + (ulong)window - 2), clear, out _));
        Assert.Equal(DropReason.Replay, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - 1), clear, out _));
        Assert.Equal(DropReason.ReplayTooOld, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, top - 2), clear, out _));
    }

    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public void Every_packet_of_a_shuffled_stream_is_accepted_once()
    {
        var outboundSa = Sa(EspDirection.Outbound);
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, replayWindow: 4096));
        var clear = new byte[2000];
        var order = Enumerable.Range(1, 3000).Select(i => (ulong)i).ToArray();
        new Random(7).Shuffle(order);
        foreach (ulong sequence in order)
        {
            Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, sequence), clear, out _));
        }

        foreach (ulong sequence in order.Take(100))
        {
            Assert.Equal(DropReason.Replay, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, sequence), clear, out _));
        }
    }

    [Fact]
    [Trait("RFC", "4303 A2.2")]
    public void Esn_high_bits_are_inferred_across_the_32_bit_wrap()
    {
        var outboundSa = Sa(EspDirection.Outbound, esn: true);
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, esn: true, replayWindow: 128, initialSequence: 0xFFFF_FF00));
        var clear = new byte[2000];
        ulong beforeWrap = 0xFFFF_FFF0;
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, beforeWrap), clear, out _));
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, 0x1_0000_0005), clear, out _));
        Assert.Equal(0x1_0000_0005UL, inbound.HighestSequenceNumber);
        // A late packet from before the wrap (case B: the window spans both subspaces).
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, 0xFFFF_FFF5), clear, out _));
        Assert.Equal(DropReason.Replay, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, beforeWrap), clear, out _));
        // A packet sealed with the wrong high half does not authenticate.
        Assert.Equal(DropReason.IntegrityFailed, inbound.DecapsulatePacket(PacketWithSequence(outboundSa, 0x2_0000_0006), clear, out _));
    }

    [Fact]
    [Trait("RFC", "4303 3.4.4")]
    public void Wrong_icv_is_dropped_and_does_not_advance_the_window()
    {
        using var outbound = new EspOutboundCodec(Outbound);
        using var inbound = new EspInboundCodec(Inbound);
        var packet = Encapsulate(outbound, Udp4());
        var forged = (byte[])packet.Clone();
        forged[^1] ^= 0x80;
        var clear = new byte[2000];
        Assert.Equal(DropReason.IntegrityFailed, inbound.DecapsulatePacket(forged, clear, out _));
        Assert.Equal(0UL, inbound.HighestSequenceNumber);
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(packet, clear, out _));
    }

    [Theory]
    [InlineData(EspEncryptionAlgorithm.AesGcm16_128, EspIntegrityAlgorithm.None)]
    [InlineData(EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha2_256_128)]
    [InlineData(EspEncryptionAlgorithm.AesCtr128, EspIntegrityAlgorithm.HmacSha1_96)]
    [InlineData(EspEncryptionAlgorithm.ChaCha20Poly1305, EspIntegrityAlgorithm.None)]
    [InlineData(EspEncryptionAlgorithm.AesGmac128, EspIntegrityAlgorithm.None)]
    public void Truncation_at_every_length_is_dropped_without_an_exception(EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity)
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, encryption, integrity));
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, encryption, integrity));
        var packet = Encapsulate(outbound, Udp4(payload: 40));
        var clear = new byte[2000];
        for (int length = 0; length < packet.Length; length++)
        {
            var truncated = packet.AsSpan(0, length).ToArray();
            if (length >= 20)
            {
                // Keep the outer header consistent so the ESP layer itself sees the short packet.
                BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(2), (ushort)length);
            }

            DropReason verdict = inbound.DecapsulatePacket(truncated, clear, out int written);
            Assert.NotEqual(DropReason.None, verdict);
            Assert.Contains(verdict, new[] { DropReason.Runt, DropReason.Malformed, DropReason.IntegrityFailed });
            Assert.Equal(0, written);
        }

        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(packet, clear, out _));
    }

    [Fact]
    [Trait("RFC", "4303 2.4")]
    public void Pad_length_beyond_the_payload_is_bad_padding()
    {
        var clear = new byte[2000];
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound));
        byte[] payload = [.. Udp4(payload: 2), 200, 4];
        Assert.Equal(DropReason.BadPadding, inbound.Decapsulate(Craft(Sa(EspDirection.Outbound), 1, payload), clear, out _));
    }

    [Fact]
    [Trait("RFC", "4303 2.4")]
    public void Pad_bytes_other_than_1_2_3_are_bad_padding()
    {
        var clear = new byte[2000];
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound));
        byte[] payload = [.. Udp4(payload: 4), 1, 7, 2, 4];
        Assert.Equal(DropReason.BadPadding, inbound.Decapsulate(Craft(Sa(EspDirection.Outbound), 1, payload), clear, out _));
    }

    [Theory]
    [InlineData((byte)6, DropReason.BadNextHeader)]
    [InlineData((byte)17, DropReason.BadNextHeader)]
    [InlineData((byte)59, DropReason.DummyPacket)]
    [InlineData((byte)41, DropReason.Malformed)]
    [Trait("RFC", "4303 2.6")]
    public void Next_header_other_than_ip_in_tunnel_mode_is_dropped(byte nextHeader, DropReason expected)
    {
        var clear = new byte[2000];
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound));
        byte[] payload = [.. Udp4(payload: 2), 0, nextHeader];
        Assert.Equal(expected, inbound.Decapsulate(Craft(Sa(EspDirection.Outbound), 1, payload), clear, out _));
    }

    [Fact]
    [Trait("RFC", "4301 5.2")]
    public void Inner_packet_outside_the_sa_selectors_is_dropped()
    {
        var local = new[] { EspTrafficSelector.For(IpAddressRange.FromCidr("10.2.0.0/16")) };
        var remote = new[] { new EspTrafficSelector(IpAddressRange.FromCidr("10.1.0.0/16"), 17, PortRange.Any) };
        using var outbound = new EspOutboundCodec(Outbound);
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, local: local, remote: remote));
        var clear = new byte[2000];
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(Encapsulate(outbound, Udp4("10.1.0.5", "10.2.0.7")), clear, out _));
        Assert.Equal(DropReason.SelectorMismatch, inbound.DecapsulatePacket(Encapsulate(outbound, Udp4("10.9.0.5", "10.2.0.7")), clear, out _));
        Assert.Equal(DropReason.SelectorMismatch, inbound.DecapsulatePacket(Encapsulate(outbound, Udp4("10.1.0.5", "10.3.0.7")), clear, out _));
        Assert.Equal(DropReason.SelectorMismatch, inbound.DecapsulatePacket(Encapsulate(outbound, Udp6()), clear, out _));
    }

    [Fact]
    public void Packet_for_another_spi_is_an_unknown_spi()
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, spi: 0x2000));
        using var inbound = new EspInboundCodec(Inbound);
        Assert.Equal(DropReason.UnknownSpi, inbound.DecapsulatePacket(Encapsulate(outbound, Udp4()), new byte[2000], out _));
    }

    [Fact]
    [Trait("RFC", "3948 2.2")]
    public void Nat_keepalive_and_non_esp_marker_are_classified_for_the_host()
    {
        byte[] keepalive = Udp4("198.51.100.2", "192.0.2.1", payload: 1, sport: 4500, dport: 4500);
        keepalive[^1] = 0xFF;
        Assert.Equal(DropReason.None, CipherSidePacket.TryRead(keepalive, out var info));
        Assert.Equal(CipherPacketKind.NatKeepalive, info.Kind);

        byte[] ike = Udp4("198.51.100.2", "192.0.2.1", payload: 40, sport: 4500, dport: 4500);
        ike.AsSpan(28, 4).Clear();
        Assert.Equal(DropReason.None, CipherSidePacket.TryRead(ike, out info));
        Assert.Equal(CipherPacketKind.Ike, info.Kind);

        Assert.Equal(DropReason.None, CipherSidePacket.TryRead(Udp4(dport: 53), out info));
        Assert.Equal(CipherPacketKind.Other, info.Kind);
    }

    [Fact]
    public void Random_garbage_never_throws()
    {
        using var inbound = new EspInboundCodec(Inbound);
        var random = new Random(1);
        var clear = new byte[2000];
        for (int i = 0; i < 5000; i++)
        {
            var garbage = new byte[random.Next(0, 200)];
            random.NextBytes(garbage);
            if (garbage.Length > 0 && i % 2 == 0)
            {
                garbage[0] = 0x45;
            }

            Assert.NotEqual(DropReason.None, inbound.DecapsulatePacket(garbage, clear, out _));
            Assert.NotEqual(DropReason.None, inbound.Decapsulate(garbage, clear, out _));
        }
    }

    internal static byte[] Encapsulate(EspOutboundCodec outbound, byte[] inner)
    {
        var packet = new byte[2000];
        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written));
        return packet.AsSpan(0, written).ToArray();
    }

    private static byte[] PacketWithSequence(EspSa outboundSa, ulong sequence)
    {
        using var outbound = new EspOutboundCodec(outboundSa);
        outbound.SequenceNumber = sequence - 1;
        return Encapsulate(outbound, Udp4());
    }

    /// <summary>Seals an ESP packet around an arbitrary payload (with its own trailer), for trailer checks.</summary>
    private static byte[] Craft(EspSa sa, uint sequence, byte[] payload)
    {
        using var cipher = new EspCipher(sa);
        var esp = new byte[8 + cipher.IvLength + payload.Length + cipher.IcvLength];
        BinaryPrimitives.WriteUInt32BigEndian(esp, sa.Spi);
        BinaryPrimitives.WriteUInt32BigEndian(esp.AsSpan(4), sequence);
        BinaryPrimitives.WriteUInt64BigEndian(esp.AsSpan(8), sequence);
        payload.CopyTo(esp, 8 + cipher.IvLength);
        cipher.Seal(esp, sequence);
        return esp;
    }
}
