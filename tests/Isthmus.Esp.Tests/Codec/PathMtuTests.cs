using System.Buffers.Binary;
using System.Net;
using static Isthmus.Esp.Tests.MtuPackets;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

/// <summary>Packets larger than an SA's MTU: post-fragmentation of the outer packet, or an ICMP "too big" message.</summary>
public sealed class PathMtuTests
{
    [Theory]
    [InlineData(EspEncryptionAlgorithm.AesGcm16_128, EspIntegrityAlgorithm.None, 1500, false, 1446)]
    [InlineData(EspEncryptionAlgorithm.AesCbc128, EspIntegrityAlgorithm.HmacSha1_96, 1500, false, 1438)]
    [InlineData(EspEncryptionAlgorithm.AesGcm16_128, EspIntegrityAlgorithm.None, 1500, true, 1426)]
    public void Largest_inner_packet_is_the_mtu_less_the_esp_overhead_rounded_to_the_padding_block(
        EspEncryptionAlgorithm encryption, EspIntegrityAlgorithm integrity, int mtu, bool ipv6, int expected)
    {
        // GCM over IPv4: 1500 - (20 + 8 SPI/seq + 8 IV + 16 ICV) = 1448, 4-aligned, less pad-length and next-header = 1446.
        // CBC/SHA1-96: 1500 - (20 + 8 + 16 + 12) = 1444 -> 1440 (16-aligned) - 2 = 1438.
        var sa = Sa(EspDirection.Outbound, encryption, integrity, ipv6: ipv6, mtu: mtu);
        using var codec = new EspOutboundCodec(sa);
        Assert.Equal(expected, EspMtu.MaxInnerLength(sa));
        Assert.Equal(expected, codec.MaxInnerLength);
        Assert.True(codec.EncapsulatedLength(expected) <= mtu);
        Assert.True(codec.EncapsulatedLength(expected + 1) > mtu);
    }

    // Inner IPv4 (1428 octets, DF clear), SA MTU 600: ESP packet 20 + 8 + 8 + 1432 + 16 = 1484 octets ->
    //   IPv4(MF, offset 0, 20 + 576) | IPv4(MF, offset 72, 20 + 576) | IPv4(offset 144, 20 + 312)   (RFC 4301 §8)
    [Theory]
    [InlineData(600, false)]
    [InlineData(1400, true)]
    [Trait("RFC", "4301 8")]
    [Trait("RFC", "791 3.2")]
    public void Df_clear_packet_over_the_mtu_is_encrypted_then_fragmented_and_the_fragments_reassemble_to_the_esp_packet(int mtu, bool udp)
    {
        UdpEncapsulation? encapsulation = udp ? UdpEncapsulation.Default : null;
        using var whole = new EspOutboundCodec(Sa(EspDirection.Outbound, udp: encapsulation), new FixedIvSource(new byte[8]));
        using var fragmenting = new EspOutboundCodec(Sa(EspDirection.Outbound, udp: encapsulation, mtu: mtu), new FixedIvSource(new byte[8]));
        byte[] inner = Udp4(payload: 1400);
        inner[6] = 0;

        byte[] expected = new byte[4000];
        Assert.Equal(DropReason.None, whole.Encapsulate(inner, expected, out int expectedLength));
        byte[] output = new byte[4000];
        Assert.Equal(DropReason.None, fragmenting.Encapsulate(inner, output, out int written, out int count));

        List<byte[]> fragments = Split(output.AsSpan(0, written));
        Assert.Equal(count, fragments.Count);
        Assert.True(count >= 2);
        Assert.All(fragments, f => Assert.True(f.Length <= mtu));
        Assert.Equal(expectedLength + ((count - 1) * 20), written);
        Assert.Equal(Convert.ToHexString(expected, 0, expectedLength), Convert.ToHexString(Reassemble(fragments)));

        // The reassembled packet is ordinary ESP to the peer.
        using var peer = new EspInboundCodec(Sa(EspDirection.Inbound, udp: encapsulation));
        byte[] clear = new byte[2000];
        Assert.Equal(DropReason.None, peer.DecapsulatePacket(Reassemble(fragments), clear, out int clearLength));
        Assert.Equal(inner, clear[..clearLength]);
    }

    [Fact]
    [Trait("RFC", "4301 8")]
    public void Single_packet_encapsulate_never_fragments()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 600));
        byte[] inner = Udp4(payload: 1000);
        inner[6] = 0;
        Assert.Equal(DropReason.MtuExceeded, codec.Encapsulate(inner, new byte[4000], out int written));
        Assert.Equal(0, written);
        Assert.Equal(0UL, codec.SequenceNumber);
    }

    // Inner IPv4 with DF set -> no ESP; back to the source: IPv4(192.0.2.1 -> 10.1.0.5, proto 1) | ICMP 3/4 | MTU | inner header + 8.
    [Fact]
    [Trait("RFC", "1191 4")]
    [Trait("RFC", "792")]
    public void Df_set_packet_over_the_mtu_is_refused_and_answered_with_fragmentation_needed()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 1400));
        byte[] inner = Udp4(payload: 1400);
        byte[] output = new byte[4000];
        Assert.Equal(DropReason.MtuExceeded, codec.Encapsulate(inner, output, out int written, out _));
        Assert.Equal(0, written);
        Assert.Equal(0UL, codec.SequenceNumber);

        int length = codec.WritePacketTooBig(inner, output);
        byte[] icmp = output[..length];
        Assert.Equal(20 + 8 + 20 + 8, length);
        Assert.True(Ipv4HeaderChecksumIsValid(icmp));
        Assert.Equal(length, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(2)));
        Assert.Equal(1, icmp[9]);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), new IPAddress(icmp.AsSpan(12, 4)));
        Assert.Equal(IPAddress.Parse("10.1.0.5"), new IPAddress(icmp.AsSpan(16, 4)));
        Assert.Equal(3, icmp[20]);
        Assert.Equal(4, icmp[21]);
        Assert.Equal(0, Checksum(icmp.AsSpan(20)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(24)));
        Assert.Equal(codec.MaxInnerLength, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(26)));
        Assert.Equal(1346, codec.MaxInnerLength);
        Assert.Equal(inner[..28], icmp[28..]);
    }

    // Inner IPv6 -> ICMPv6 Packet Too Big (type 2) with a 32-bit MTU and as much of the packet as fits in 1280 octets.
    [Fact]
    [Trait("RFC", "4443 3.2")]
    [Trait("RFC", "8201 4")]
    public void Ipv6_packet_over_the_mtu_is_answered_with_packet_too_big()
    {
        var sa = Sa(EspDirection.Outbound, ipv6: true, mtu: 1400);
        using var codec = new EspOutboundCodec(sa);
        byte[] inner = Udp6(payload: 1400);
        byte[] output = new byte[4000];
        Assert.Equal(DropReason.MtuExceeded, codec.Encapsulate(inner, output, out _, out _));

        int length = codec.WritePacketTooBig(inner, output);
        byte[] icmp = output[..length];
        Assert.Equal(1280, length);
        Assert.Equal(6, icmp[0] >> 4);
        Assert.Equal(length - 40, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(4)));
        Assert.Equal(58, icmp[6]);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), new IPAddress(icmp.AsSpan(8, 16)));
        Assert.Equal(IPAddress.Parse("fd00:1::5"), new IPAddress(icmp.AsSpan(24, 16)));
        Assert.Equal(2, icmp[40]);
        Assert.Equal(0, icmp[41]);
        Assert.Equal((uint)codec.MaxInnerLength, BinaryPrimitives.ReadUInt32BigEndian(icmp.AsSpan(44)));
        Assert.Equal(0, Checksum(icmp.AsSpan(40), PseudoHeader6(icmp, 58)));
        Assert.Equal(inner[..1232], icmp[48..]);
    }

    [Fact]
    [Trait("RFC", "4301 8.1")]
    public void Ipv4_inner_behind_an_ipv6_tunnel_gets_an_icmp_from_its_own_destination()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, ipv6: true, mtu: 600));
        byte[] inner = Udp4(payload: 1000);
        inner[6] = 0;
        byte[] output = new byte[4000];

        // An outer IPv6 packet is never fragmented, DF or not.
        Assert.Equal(DropReason.MtuExceeded, codec.Encapsulate(inner, output, out _, out _));
        int length = codec.WritePacketTooBig(inner, output);
        Assert.Equal(IPAddress.Parse("10.2.0.7"), new IPAddress(output.AsSpan(12, 4)));
        Assert.Equal(IPAddress.Parse("10.1.0.5"), new IPAddress(output.AsSpan(16, 4)));
        Assert.Equal(56, length);
    }

    [Theory]
    [InlineData(PathMtuPolicy.Fragment, true, true)]
    [InlineData(PathMtuPolicy.Fragment, false, true)]
    [InlineData(PathMtuPolicy.Icmp, true, false)]
    [InlineData(PathMtuPolicy.Icmp, false, false)]
    [InlineData(PathMtuPolicy.FollowDontFragment, true, false)]
    [InlineData(PathMtuPolicy.FollowDontFragment, false, true)]
    [Trait("RFC", "4301 8")]
    public void Path_mtu_policy_decides_between_fragmenting_and_icmp(PathMtuPolicy policy, bool dontFragment, bool fragments)
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 800, pathMtu: policy));
        byte[] inner = Udp4(payload: 1000);
        inner[6] = dontFragment ? (byte)0x40 : (byte)0;
        byte[] output = new byte[4000];

        DropReason verdict = codec.Encapsulate(inner, output, out int written, out int count);

        Assert.Equal(fragments ? DropReason.None : DropReason.MtuExceeded, verdict);
        Assert.Equal(fragments ? 2 : 0, count);
        if (fragments)
        {
            Assert.All(Split(output.AsSpan(0, written)), f => Assert.Equal(0, f[6] & 0x40));
        }
    }

    [Fact]
    [Trait("RFC", "8200 5")]
    public void Ipv6_inner_packet_is_fragmented_outside_when_the_tunnel_cannot_carry_1280_octets()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 1000));
        Assert.True(codec.MaxInnerLength < 1280);
        Assert.Equal(DropReason.None, codec.Encapsulate(Udp6(payload: 1200), new byte[4000], out _, out int count));
        Assert.Equal(2, count);
    }

    [Fact]
    [Trait("RFC", "4301 8")]
    public void Packet_needing_more_fragments_than_a_peer_reassembles_is_refused()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 100, pathMtu: PathMtuPolicy.Fragment));
        Assert.Equal(DropReason.MtuExceeded, codec.Encapsulate(Udp4(payload: 1000), new byte[4000], out _, out _));
        Assert.Equal(DropReason.None, codec.Encapsulate(Udp4(payload: 400), new byte[4000], out _, out int count));
        Assert.Equal(6, count);
    }

    [Fact]
    [Trait("RFC", "1812 4.3.2.7")]
    [Trait("RFC", "4443 2.4")]
    public void No_icmp_about_icmp_errors_later_fragments_or_multicast_and_unspecified_sources()
    {
        using var codec = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 600));
        byte[] output = new byte[2000];

        byte[] icmpError = Udp4(payload: 1000);
        icmpError[9] = 1;
        icmpError[20] = 3;
        Assert.Equal(0, codec.WritePacketTooBig(icmpError, output));

        byte[] echo = Udp4(payload: 1000);
        echo[9] = 1;
        echo[20] = 8;
        Assert.NotEqual(0, codec.WritePacketTooBig(echo, output));

        byte[] laterFragment = Udp4(payload: 1000);
        laterFragment[7] = 0x10;
        Assert.Equal(0, codec.WritePacketTooBig(laterFragment, output));

        Assert.Equal(0, codec.WritePacketTooBig(Udp4(source: "0.0.0.0", payload: 1000), output));
        Assert.Equal(0, codec.WritePacketTooBig(Udp4(source: "224.0.0.5", payload: 1000), output));
        Assert.Equal(0, codec.WritePacketTooBig(Udp4(destination: "255.255.255.255", payload: 1000), output));
        Assert.Equal(0, codec.WritePacketTooBig(Udp6(source: "::", payload: 1400), output));
        Assert.Equal(0, codec.WritePacketTooBig(Udp6(source: "ff02::1", payload: 1400), output));

        byte[] icmp6Error = Udp6(payload: 1400);
        icmp6Error[6] = 58;
        icmp6Error[40] = 1;
        Assert.Equal(0, codec.WritePacketTooBig(icmp6Error, output));
    }
}
