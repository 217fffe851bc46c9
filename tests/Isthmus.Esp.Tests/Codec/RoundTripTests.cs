using System.Buffers.Binary;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

public sealed class RoundTripTests
{
    public static TheoryData<EspEncryptionAlgorithm, EspIntegrityAlgorithm> Algorithms => new()
    {
        { EspEncryptionAlgorithm.AesGcm16_128, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesGcm16_192, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesGcm16_256, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.ChaCha20Poly1305, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesGmac128, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesGmac192, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesGmac256, EspIntegrityAlgorithm.None },
        { EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha1_96 },
        { EspEncryptionAlgorithm.AesCbc192, EspIntegrityAlgorithm.HmacSha2_256_128 },
        { EspEncryptionAlgorithm.AesCbc256, EspIntegrityAlgorithm.HmacSha2_384_192 },
        { EspEncryptionAlgorithm.AesCbc256, EspIntegrityAlgorithm.HmacSha2_512_256 },
        { EspEncryptionAlgorithm.AesCtr128, EspIntegrityAlgorithm.HmacSha2_256_128 },
        { EspEncryptionAlgorithm.AesCtr192, EspIntegrityAlgorithm.HmacSha1_96 },
        { EspEncryptionAlgorithm.AesCtr256, EspIntegrityAlgorithm.HmacSha2_512_256 },
        { EspEncryptionAlgorithm.Null, EspIntegrityAlgorithm.HmacSha2_256_128 },
        { EspEncryptionAlgorithm.Null, EspIntegrityAlgorithm.None },
    };

    [Theory]
    [MemberData(nameof(Algorithms))]
    [Trait("RFC", "4303 3.3")]
    public void Every_algorithm_round_trips_ipv4_and_ipv6_inner_packets_with_and_without_esn(EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity)
    {
        foreach (bool esn in new[] { false, true })
        {
            foreach (bool outerIPv6 in new[] { false, true })
            {
                foreach (var udp in new UdpEncapsulation?[] { null, UdpEncapsulation.Default })
                {
                    using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, encryption, integrity, ipv6: outerIPv6, udp: udp, esn: esn, initialSequence: esn ? uint.MaxValue - 2UL : null));
                    using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, encryption, integrity, ipv6: outerIPv6, udp: udp, esn: esn, initialSequence: esn ? uint.MaxValue - 3UL : null));
                    foreach (var inner in new[] { Udp4(payload: 0), Udp4(payload: 1), Udp4(payload: 1373), Udp6(payload: 17), Udp6(payload: 1200) })
                    {
                        var packet = new byte[2000];
                        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written));
                        Assert.Equal(outbound.EncapsulatedLength(inner.Length), written);
                        var clear = new byte[2000];
                        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(packet.AsSpan(0, written), clear, out int innerLength));
                        Assert.Equal(inner, clear.AsSpan(0, innerLength).ToArray());
                    }

                    Assert.Equal(outbound.SequenceNumber, inbound.HighestSequenceNumber);
                }
            }
        }
    }

    [Fact]
    [Trait("RFC", "4303 2.4")]
    public void Padding_is_monotonic_and_aligns_cbc_payload_to_16_octets()
    {
        var sa = Sa(EspDirection.Outbound, EspEncryptionAlgorithm.Null, EspIntegrityAlgorithm.HmacSha1_96);
        using var outbound = new EspOutboundCodec(sa);
        var inner = Udp4(payload: 5);
        var packet = new byte[200];
        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written));
        // NULL: the payload is in the clear. 33-octet inner + 2 = 35 -> 36: one pad octet (RFC 4303 §2.4).
        int payload = 20 + 8;
        Assert.Equal(inner, packet.AsSpan(payload, inner.Length).ToArray());
        Assert.Equal(1, packet[payload + inner.Length]);
        Assert.Equal(1, packet[payload + inner.Length + 1]);
        Assert.Equal(4, packet[payload + inner.Length + 2]);
        Assert.Equal(20 + 8 + 36 + 12, written);

        using var cbc = new EspOutboundCodec(Sa(EspDirection.Outbound, EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha1_96));
        Assert.Equal(DropReason.None, cbc.Encapsulate(inner, packet, out written));
        Assert.Equal(0, (written - 20 - 8 - 16 - 12) % 16);
    }

    [Fact]
    [Trait("RFC", "3948 2.1")]
    public void Udp_encapsulation_writes_ports_length_and_zero_checksum_over_ipv4()
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, udp: new UdpEncapsulation(4500, 4501)));
        var packet = new byte[200];
        Assert.Equal(DropReason.None, outbound.Encapsulate(Udp4(), packet, out int written));
        Assert.Equal(17, packet[9]);
        Assert.True(Ipv4HeaderChecksumIsValid(packet));
        Assert.Equal(4500, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(20)));
        Assert.Equal(4501, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(22)));
        Assert.Equal(written - 20, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(24)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(26)));
        Assert.Equal(0x1000u, BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(28)));
    }

    [Fact]
    [Trait("RFC", "4301 8.1")]
    public void Outer_ipv4_header_copies_tos_and_df_and_carries_a_valid_checksum()
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound));
        var packet = new byte[200];
        var inner = Udp4();
        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written));
        Assert.Equal(0x45, packet[0]);
        Assert.Equal(inner[1], packet[1]);
        Assert.Equal(written, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        Assert.Equal(0x4000, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)));
        Assert.Equal(64, packet[8]);
        Assert.Equal(50, packet[9]);
        Assert.Equal(new byte[] { 192, 0, 2, 1, 198, 51, 100, 2 }, packet.AsSpan(12, 8).ToArray());
        Assert.True(Ipv4HeaderChecksumIsValid(packet));
    }

    [Fact]
    public void Output_buffer_too_small_and_mtu_exceeded_are_dropped_without_consuming_a_sequence_number()
    {
        var sa = Sa(EspDirection.Outbound);
        using var outbound = new EspOutboundCodec(sa);
        Assert.Equal(DropReason.BufferTooSmall, outbound.Encapsulate(Udp4(payload: 100), new byte[50], out int written));
        Assert.Equal(0, written);
        Assert.Equal(0UL, outbound.SequenceNumber);

        using var small = new EspOutboundCodec(new EspSa
        {
            Spi = sa.Spi, Direction = sa.Direction, TunnelSource = sa.TunnelSource, TunnelDestination = sa.TunnelDestination,
            Encryption = sa.Encryption, EncryptionKey = sa.EncryptionKey, Mtu = 100,
        });
        Assert.Equal(DropReason.MtuExceeded, small.Encapsulate(Udp4(payload: 100), new byte[500], out _));
    }

    [Fact]
    [Trait("RFC", "4303 3.3.3")]
    public void Sequence_number_never_cycles_without_esn()
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, initialSequence: uint.MaxValue - 1));
        var packet = new byte[200];
        Assert.Equal(DropReason.None, outbound.Encapsulate(Udp4(), packet, out _));
        Assert.Equal(DropReason.SequenceOverflow, outbound.Encapsulate(Udp4(), packet, out _));
    }

    [Fact]
    public void Default_iv_for_counter_modes_is_the_sequence_number_and_cbc_iv_is_random()
    {
        using var gcm = new EspOutboundCodec(Sa(EspDirection.Outbound));
        var packet = new byte[200];
        Assert.Equal(DropReason.None, gcm.Encapsulate(Udp4(), packet, out _));
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(packet.AsSpan(28)));

        using var cbc = new EspOutboundCodec(Sa(EspDirection.Outbound, EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha1_96));
        Assert.Equal(DropReason.None, cbc.Encapsulate(Udp4(), packet, out _));
        var first = packet.AsSpan(28, 16).ToArray();
        Assert.Equal(DropReason.None, cbc.Encapsulate(Udp4(), packet, out _));
        Assert.NotEqual(first, packet.AsSpan(28, 16).ToArray());
    }
}
