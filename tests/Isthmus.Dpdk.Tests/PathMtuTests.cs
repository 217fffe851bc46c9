using System.Buffers.Binary;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

/// <summary>The engine's path-MTU behaviour, checked byte for byte against the managed codec.</summary>
[Collection(DpdkCollection.Name)]
public sealed class PathMtuTests(DpdkFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Clear side: 1428-octet inner IPv4, DF clear -> ESP (1484 octets, or 1492 in UDP) -> rte_ipv4_fragment_packet ->
    //   Eth | IPv4(MF, off 0) ... | Eth | IPv4(off n, last), each <= the SA MTU, each matching the managed codec's fragment.
    [Theory]
    [InlineData(600, false)]
    [InlineData(1400, true)]
    [Trait("RFC", "4301 8")]
    [Trait("RFC", "791 3.2")]
    public async Task Df_clear_packets_over_the_mtu_leave_as_the_managed_codecs_fragments(int mtu, bool udp)
    {
        fixture.RequireDpdk();
        UdpEncapsulation? encapsulation = udp ? UdpEncapsulation.Default : null;
        await using var backend = await TestPackets.Backend(fixture);
        Assert.True((await backend.AddSaAsync(TestPackets.Outbound(0x5001, encapsulation, mtu: mtu), Ct)).IsOk);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x5001), Ct);
        using var oracle = new EspOutboundCodec(TestPackets.Outbound(0x5001, encapsulation, mtu: mtu), SequenceNumberIvSource.Instance);
        using var peer = new EspInboundCodec(TestPackets.OutboundAsSeenByPeer(0x5001, encapsulation));

        byte[][] inner = [TestPackets.WithoutDf(TestPackets.InnerIPv4(1428, fill: 1)), TestPackets.WithoutDf(TestPackets.InnerIPv4(1428, fill: 2))];
        fixture.Inject(fixture.Clear, inner.Select(p => TestPackets.Frame(p)));
        Assert.Equal(2, backend.PollOutbound());

        List<byte[]> sent = fixture.Drain(fixture.Cipher);
        var expected = new List<byte[]>();
        foreach (byte[] packet in inner)
        {
            byte[] output = new byte[4000];
            Assert.Equal(DropReason.None, oracle.Encapsulate(packet, output, out int written, out int count));
            Assert.True(count > 1);
            expected.AddRange(TestPackets.Split(output.AsSpan(0, written)));
        }

        Assert.Equal(expected.Count, sent.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(TestPackets.CipherNextHop, sent[i][..6]);
            Assert.True(sent[i].Length - 14 <= mtu);
            Assert.Equal(Convert.ToHexString(expected[i]), Convert.ToHexString(sent[i][14..]));
        }

        // The managed codec has no reassembly: put the engine's fragments together and decrypt them.
        int perPacket = expected.Count / 2;
        byte[] first = Reassemble(sent.Take(perPacket).Select(f => f[14..]).ToList());
        byte[] clear = new byte[2000];
        Assert.Equal(DropReason.None, peer.DecapsulatePacket(first, clear, out int clearLength));
        Assert.Equal(inner[0], clear[..clearLength]);

        SaCounters counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(2UL, counters.Packets);
        Assert.Equal((ulong)expected.Count, counters.Fragments);
        Assert.Equal(0UL, counters.Drops.Total);
    }

    // Clear side: inner IPv4 with DF set, too big -> no ESP; back out of the clear port:
    //   Eth(to the clear next hop) | IPv4(192.0.2.1 -> 10.1.0.5, proto 1) | ICMP 3/4, MTU 1346 | inner header + 8
    [Fact]
    [Trait("RFC", "1191 4")]
    public async Task Df_set_packets_over_the_mtu_are_answered_with_the_managed_codecs_icmp()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x5002, mtu: 1400), Ct);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x5002), Ct);
        using var oracle = new EspOutboundCodec(TestPackets.Outbound(0x5002, mtu: 1400), SequenceNumberIvSource.Instance);
        byte[] inner = TestPackets.InnerIPv4(1400);

        fixture.Inject(fixture.Clear, [TestPackets.Frame(inner), TestPackets.Frame(TestPackets.InnerIPv4(200))]);
        backend.PollOutbound();

        byte[] icmp = new byte[PacketTooBig.MaxLength];
        int length = oracle.WritePacketTooBig(inner, icmp);
        byte[] reply = Assert.Single(fixture.Drain(fixture.Clear));
        Assert.Equal(TestPackets.ClearNextHop, reply[..6]);
        Assert.Equal(fixture.Clear.MacAddress.ToArray(), reply[6..12]);
        Assert.Equal(Convert.ToHexString(icmp, 0, length), Convert.ToHexString(reply[14..]));
        Assert.Equal(1346, BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(14 + 26)));

        // The small packet still went out, as sequence number 1.
        byte[] esp = Assert.Single(fixture.Drain(fixture.Cipher));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(esp.AsSpan(14 + 24)));
        SaCounters counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(1UL, counters.Drops[DropReason.MtuExceeded]);
        Assert.Equal(1UL, counters.Drops.Total);
        Assert.Equal(1UL, counters.IcmpErrors);
        Assert.Equal(1UL, counters.Packets);
    }

    [Fact]
    [Trait("RFC", "1812 4.3.2.8")]
    public async Task Icmp_messages_are_rate_limited_and_every_too_big_packet_is_counted_once()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture, icmpPerSecond: 1, icmpBurst: 2);
        await backend.AddSaAsync(TestPackets.Outbound(0x5003, mtu: 1000, pathMtu: PathMtuPolicy.Icmp), Ct);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x5003), Ct);

        fixture.Inject(fixture.Clear, Enumerable.Range(0, 5).Select(_ => TestPackets.Frame(TestPackets.WithoutDf(TestPackets.InnerIPv4(1200)))));
        backend.PollOutbound();

        Assert.Equal(2, fixture.Drain(fixture.Clear).Count);
        Assert.Empty(fixture.Drain(fixture.Cipher));
        SaCounters counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(5UL, counters.Drops[DropReason.MtuExceeded]);
        Assert.Equal(2UL, counters.IcmpErrors);
    }

    // Clear side SYN, MSS 1460, SA MTU 1400 -> ESP whose inner SYN says MSS 1306, identical to the managed codec's.
    [Theory]
    [InlineData(0x02)]
    [InlineData(0x12)]
    [Trait("RFC", "1624 3")]
    public async Task Outbound_syn_mss_is_clamped_exactly_as_the_managed_codec_does(byte flags)
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x5004, mtu: 1400), Ct);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x5004), Ct);
        using var oracle = new EspOutboundCodec(TestPackets.Outbound(0x5004, mtu: 1400), SequenceNumberIvSource.Instance);
        using var peer = new EspInboundCodec(TestPackets.OutboundAsSeenByPeer(0x5004));
        byte[][] segments = [TestPackets.TcpSyn(1460, flags), TestPackets.TcpSyn(1200, flags), TestPackets.TcpSyn(1460, 0x10)];

        fixture.Inject(fixture.Clear, segments.Select(p => TestPackets.Frame(p)));
        backend.PollOutbound();

        List<byte[]> sent = fixture.Drain(fixture.Cipher);
        Assert.Equal(3, sent.Count);
        ushort[] expectedMss = [1306, 1200, 1460];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Convert.ToHexString(TestPackets.Encapsulate(oracle, segments[i])), Convert.ToHexString(sent[i][14..]));
            byte[] clear = new byte[2000];
            Assert.Equal(DropReason.None, peer.DecapsulatePacket(sent[i].AsSpan(14), clear, out int length));
            byte[] segment = clear[..length];
            Assert.Equal(expectedMss[i], BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(46)));
            Assert.Equal(TestPackets.TcpChecksum(segment), BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(36)));
        }
    }

    // Cipher side: ESP from the managed peer carrying a SYN-ACK with MSS 1460 -> decrypted -> MSS 1306 on the clear side.
    [Fact]
    [Trait("RFC", "1624 3")]
    public async Task Inbound_decrypted_syn_mss_is_clamped_toward_the_clear_side()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x5005, mtu: 1400), Ct);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x5005));
        using var oracle = new EspInboundCodec(TestPackets.Inbound(0x5005, mtu: 1400));
        byte[] synAck = TestPackets.TcpSyn(1460, 0x12, source: "10.2.0.9", destination: "10.1.0.5");
        byte[] esp = TestPackets.Encapsulate(peer, synAck);

        fixture.Inject(fixture.Cipher, [TestPackets.Frame(esp)]);
        backend.PollInbound();

        byte[] clear = Assert.Single(fixture.Drain(fixture.Clear))[14..];
        byte[] expected = new byte[2000];
        Assert.Equal(DropReason.None, oracle.DecapsulatePacket(esp, expected, out int length));
        Assert.Equal(expected[..length], clear);
        Assert.Equal(1306, BinaryPrimitives.ReadUInt16BigEndian(clear.AsSpan(46)));
        Assert.Equal(TestPackets.TcpChecksum(clear), BinaryPrimitives.ReadUInt16BigEndian(clear.AsSpan(36)));
    }

    // Cipher side: the managed peer's post-fragmented ESP (3 fragments, any order, plain or in UDP) ->
    // rte_ipv4_frag_reassemble_packet -> one ESP packet -> decrypted to the clear side.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [Trait("RFC", "4301 8")]
    [Trait("RFC", "791 3.2")]
    public async Task Fragments_from_the_managed_peer_are_reassembled_and_decrypted(bool reversed, bool udp)
    {
        fixture.RequireDpdk();
        UdpEncapsulation? encapsulation = udp ? UdpEncapsulation.Default : null;
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x5006, encapsulation: encapsulation), Ct);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x5006, encapsulation, mtu: 600));
        byte[] inner = TestPackets.WithoutDf(TestPackets.InnerIPv4(1400, source: "10.2.0.9", destination: "10.1.0.5"));
        byte[] output = new byte[4000];
        Assert.Equal(DropReason.None, peer.Encapsulate(inner, output, out int written, out int count));
        List<byte[]> fragments = TestPackets.Split(output.AsSpan(0, written));
        Assert.Equal(3, count);
        if (reversed)
        {
            fragments.Reverse();
        }

        fixture.Inject(fixture.Cipher, fragments.Select(f => TestPackets.Frame(f)));
        backend.PollInbound();

        Assert.Equal(inner, Assert.Single(fixture.Drain(fixture.Clear))[14..]);
        CounterSnapshot counters = await backend.GetCountersAsync(Ct);
        Assert.Equal(1UL, counters.ReassembledPackets);
        Assert.Equal(1UL, counters.Sas.Single().Packets);
        Assert.Equal(0UL, counters.GlobalDrops.Total);
    }

    // Cipher side: a duplicated first fragment and a missing middle one -> nothing reaches the clear side,
    // the abandoned fragments are counted; a later complete packet is still reassembled.
    [Fact]
    [Trait("RFC", "791 3.2")]
    public async Task Duplicate_and_incomplete_fragments_never_reach_the_clear_side_and_are_counted()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x5008), Ct);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x5008, mtu: 600));
        byte[] inner = TestPackets.WithoutDf(TestPackets.InnerIPv4(1400, source: "10.2.0.9", destination: "10.1.0.5"));
        List<byte[]> Fragments()
        {
            byte[] output = new byte[4000];
            Assert.Equal(DropReason.None, peer.Encapsulate(inner, output, out int written, out _));
            return TestPackets.Split(output.AsSpan(0, written));
        }

        List<byte[]> bad = Fragments();
        fixture.Inject(fixture.Cipher, new[] { bad[0], bad[0], bad[2] }.Select(f => TestPackets.Frame(f)));
        backend.PollInbound();
        Assert.Empty(fixture.Drain(fixture.Clear));
        Assert.True((await backend.GetCountersAsync(Ct)).GlobalDrops[DropReason.Fragmented] >= 2);

        fixture.Inject(fixture.Cipher, Fragments().Select(f => TestPackets.Frame(f)));
        backend.PollInbound();
        Assert.Equal(inner, Assert.Single(fixture.Drain(fixture.Clear))[14..]);
    }

    // Engine -> engine: the outbound SA's fragments, looped back into the cipher port, meet an inbound SA
    // with the same SPI and keys (the peer's view) and come out whole on the clear side.
    [Fact]
    [Trait("RFC", "4301 8")]
    public async Task The_engines_own_fragments_are_reassembled_by_the_engine()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x5007, mtu: 700), Ct);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x5007), Ct);
        await backend.AddSaAsync(TestPackets.OutboundAsSeenByPeer(0x5007), Ct);
        byte[] inner = TestPackets.WithoutDf(TestPackets.InnerIPv4(1300));

        fixture.Inject(fixture.Clear, [TestPackets.Frame(inner)]);
        backend.PollOutbound();
        List<byte[]> fragments = fixture.Drain(fixture.Cipher);
        Assert.Equal(2, fragments.Count);
        fixture.Inject(fixture.Cipher, fragments);
        backend.PollInbound();

        Assert.Equal(inner, Assert.Single(fixture.Drain(fixture.Clear))[14..]);
    }

    private static byte[] Reassemble(List<byte[]> fragments)
    {
        var payload = new List<byte>();
        foreach (byte[] f in fragments)
        {
            Assert.Equal(payload.Count, (BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(6)) & 0x1FFF) * 8);
            Assert.Equal(0, TestPackets.Checksum(f.AsSpan(0, 20))); // a valid header sums to 0xFFFF
            payload.AddRange(f[20..]);
        }

        byte[] packet = [.. fragments[0][..20], .. payload];
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), 0);
        return packet;
    }
}
