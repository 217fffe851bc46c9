using static Isthmus.Esp.Tests.MtuPackets;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Codec;

/// <summary>TCP MSS clamping on the clear side, in both directions.</summary>
public sealed class TcpMssClampTests
{
    // SA MTU 1400 over IPv4 with AES-GCM: largest inner packet 1346, so MSS 1346 - 20 - 20 = 1306 (IPv4), 1286 (IPv6).
    [Theory]
    [InlineData(0x02)]
    [InlineData(0x12)]
    [Trait("RFC", "1624 3")]
    [Trait("RFC", "9293 3.7.1")]
    public void Outbound_syn_and_syn_ack_mss_is_clamped_to_the_tunnel_and_the_checksum_stays_valid(byte flags)
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 1400));
        using var peer = new EspInboundCodec(Sa(EspDirection.Inbound));
        byte[] syn = Tcp4(1460, flags);

        byte[] clear = RoundTrip(outbound, peer, syn);

        Assert.Equal(1306, Mss(clear));
        Assert.True(TcpChecksumIsValid(clear));
        Assert.Equal(syn[..36], clear[..36]);
        Assert.Equal(1460, Mss(syn));
    }

    [Fact]
    [Trait("RFC", "1624 3")]
    public void Ipv6_syn_mss_is_clamped_with_the_ipv6_header_size()
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 1400));
        using var peer = new EspInboundCodec(Sa(EspDirection.Inbound));

        byte[] clear = RoundTrip(outbound, peer, Tcp6(1440));

        Assert.Equal(1286, Mss(clear));
        Assert.True(TcpChecksumIsValid(clear));
    }

    [Fact]
    [Trait("RFC", "1624 3")]
    public void Inbound_decrypted_syn_is_clamped_to_the_inbound_sa_mtu()
    {
        using var sender = new EspOutboundCodec(Sa(EspDirection.Outbound));
        using var inbound = new EspInboundCodec(Sa(EspDirection.Inbound, mtu: 1400));

        byte[] clear = RoundTrip(sender, inbound, Tcp4(1460, 0x12));

        Assert.Equal(1306, Mss(clear));
        Assert.True(TcpChecksumIsValid(clear));
    }

    [Theory]
    [InlineData(1460, 0x10, 1400, true)] // ACK without SYN
    [InlineData(1200, 0x02, 1400, true)] // already below the clamp
    [InlineData(1460, 0x02, 0, true)] // no MTU
    [InlineData(1460, 0x02, 1400, false)] // clamping switched off
    public void Segments_that_need_no_clamping_are_untouched(ushort mss, byte flags, int mtu, bool clamp)
    {
        using var outbound = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: mtu, clampMss: clamp));
        using var peer = new EspInboundCodec(Sa(EspDirection.Inbound));
        byte[] segment = Tcp4(mss, flags, payload: flags == 0x10 ? 100 : 0);

        Assert.Equal(segment, RoundTrip(outbound, peer, segment));
    }

    [Fact]
    public void Malformed_options_and_non_tcp_packets_are_left_alone()
    {
        byte[] truncated = Tcp4(1460);
        truncated[20 + 23] = 40; // the SACK-permitted option claims to run past the header
        byte[] before = truncated.ToArray();
        Assert.False(TcpMssClamp.Apply(truncated, 1000, 1000));
        Assert.Equal(before, truncated);

        byte[] udp = Udp4(payload: 100);
        Assert.False(TcpMssClamp.Apply(udp, 1000, 1000));
        Assert.False(TcpMssClamp.Apply(new byte[] { 0x45, 0, 0 }, 1000, 1000));

        byte[] fragment = Tcp4(1460);
        fragment[7] = 0x20;
        Assert.False(TcpMssClamp.Apply(fragment, 1000, 1000));
    }

    private static byte[] RoundTrip(EspOutboundCodec outbound, EspInboundCodec inbound, byte[] inner)
    {
        byte[] packet = new byte[4000];
        Assert.Equal(DropReason.None, outbound.Encapsulate(inner, packet, out int written, out _));
        byte[] clear = new byte[4000];
        Assert.Equal(DropReason.None, inbound.DecapsulatePacket(packet.AsSpan(0, written), clear, out int length));
        return clear[..length];
    }
}
