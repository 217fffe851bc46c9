using System.Buffers.Binary;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

[Collection(DpdkCollection.Name)]
public sealed class OutboundTests(DpdkFixture fixture)
{
    // Clear side -> SPD (protect 10.1/16 -> 10.2/16) -> rte_ipsec + aesni_gcm -> cipher side:
    //   Eth | IPv4(192.0.2.1 -> 198.51.100.1, proto 50) | ESP(SPI, Seq, IV = Seq) | {inner IPv4, pad, ICV}
    [Theory]
    [InlineData(46)]
    [InlineData(100)]
    [InlineData(1400)]
    [Trait("RFC", "4303 3.3")]
    [Trait("RFC", "4106 3")]
    public async Task Aes128Gcm_tunnel_output_matches_the_managed_codec_byte_for_byte(int innerLength)
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        Assert.True((await backend.AddSaAsync(TestPackets.Outbound(0x1001), TestContext.Current.CancellationToken)).IsOk);
        Assert.True((await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x1001), TestContext.Current.CancellationToken)).IsOk);
        using var oracle = new EspOutboundCodec(TestPackets.Outbound(0x1001), SequenceNumberIvSource.Instance);

        byte[][] inner = Enumerable.Range(0, 5).Select(i => TestPackets.InnerIPv4(innerLength, fill: (byte)i)).ToArray();
        fixture.Inject(fixture.Clear, inner.Select(p => TestPackets.Frame(p)));
        Assert.Equal(5, backend.PollOutbound());

        List<byte[]> sent = fixture.Drain(fixture.Cipher);
        Assert.Equal(5, sent.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(TestPackets.CipherNextHop, sent[i][..6]);
            Assert.Equal(fixture.Cipher.MacAddress.ToArray(), sent[i][6..12]);
            Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(sent[i].AsSpan(12)));
            byte[] expected = TestPackets.Encapsulate(oracle, inner[i]);
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(sent[i][14..]));
        }

        var counters = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(5UL, counters.Packets);
        Assert.Equal((ulong)(5 * innerLength), counters.Bytes);
    }

    [Fact]
    [Trait("RFC", "4303 3.4")]
    public async Task Managed_codec_decrypts_the_engine_output()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x1002), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x1002), TestContext.Current.CancellationToken);
        using var peer = new EspInboundCodec(TestPackets.OutboundAsSeenByPeer(0x1002));

        byte[] inner = TestPackets.InnerIPv4(333);
        fixture.Inject(fixture.Clear, [TestPackets.Frame(inner), TestPackets.Frame(inner)]);
        backend.PollOutbound();

        foreach (byte[] frame in fixture.Drain(fixture.Cipher))
        {
            byte[] output = new byte[2048];
            Assert.Equal(DropReason.None, peer.DecapsulatePacket(frame.AsSpan(14), output, out int written));
            Assert.Equal(inner, output[..written]);
        }

        Assert.Equal(2UL, peer.HighestSequenceNumber);
    }

    [Fact]
    [Trait("RFC", "3948 2.1")]
    public async Task Udp_encapsulated_output_matches_the_managed_codec()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x1003, UdpEncapsulation.Default), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x1003), TestContext.Current.CancellationToken);
        using var oracle = new EspOutboundCodec(TestPackets.Outbound(0x1003, UdpEncapsulation.Default), SequenceNumberIvSource.Instance);

        byte[] inner = TestPackets.InnerIPv4(200);
        fixture.Inject(fixture.Clear, [TestPackets.Frame(inner)]);
        backend.PollOutbound();

        byte[] sent = Assert.Single(fixture.Drain(fixture.Cipher));
        Assert.Equal(17, sent[14 + 9]);
        Assert.Equal(Convert.ToHexString(TestPackets.Encapsulate(oracle, inner)), Convert.ToHexString(sent[14..]));
    }

    [Fact]
    [Trait("RFC", "4301 4.4.1")]
    public async Task Traffic_without_policy_is_dropped_and_a_protect_policy_without_sa_raises_one_acquire()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(7, 0x2000), TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = backend.ReadEventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> first = events.MoveNextAsync();

        fixture.Inject(fixture.Clear, [
            TestPackets.Frame(TestPackets.InnerIPv4(80)),
            TestPackets.Frame(TestPackets.InnerIPv4(80)),
            TestPackets.Frame(TestPackets.InnerIPv4(80, destination: "172.16.0.1")),
        ]);
        backend.PollOutbound();

        Assert.Empty(fixture.Drain(fixture.Cipher));
        var counters = await backend.GetCountersAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2UL, counters.GlobalDrops[DropReason.NoSa]);
        Assert.Equal(1UL, counters.GlobalDrops[DropReason.NoPolicy]);
        Assert.True(await first);
        var acquire = Assert.IsType<AcquireEvent>(events.Current);
        Assert.Equal(7u, acquire.PolicyId);
        Assert.Equal("10.2.0.9", acquire.Flow.Destination.ToString());
        Assert.Equal(2000, acquire.Flow.DestinationPort);
        await events.DisposeAsync();
    }

    [Fact]
    [Trait("RFC", "4301 4.4.1")]
    public async Task Policies_apply_in_priority_order_with_port_ranges_bypass_and_discard()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x1004), TestContext.Current.CancellationToken);
        var lans = EspPolicySelector.Between(TestPackets.LocalLan, TestPackets.RemoteLan);
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, lans, PolicyAction.Protect, 0x1004, 100), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(new EspPolicy(2, PolicyDirection.Out, lans with { Protocol = 17, DestinationPorts = new PortRange(53, 53) }, PolicyAction.Bypass, 0, 10), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(new EspPolicy(3, PolicyDirection.Out, lans with { Destination = IpAddressRange.Parse("10.2.0.100-10.2.0.200") }, PolicyAction.Discard, 0, 50), TestContext.Current.CancellationToken);

        fixture.Inject(fixture.Clear, [
            TestPackets.Frame(TestPackets.InnerIPv4(90, destinationPort: 53)),
            TestPackets.Frame(TestPackets.InnerIPv4(90, destination: "10.2.0.150")),
            TestPackets.Frame(TestPackets.InnerIPv4(90, destination: "10.2.0.201")),
        ]);
        backend.PollOutbound();

        List<byte[]> sent = fixture.Drain(fixture.Cipher);
        Assert.Equal(2, sent.Count);
        Assert.Equal(17, sent.Single(f => f.Length == 14 + 90)[14 + 9]);
        Assert.Contains(sent, f => f[14 + 9] == 50);
        var counters = await backend.GetCountersAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1UL, counters.GlobalDrops[DropReason.PolicyDiscard]);
        Assert.Equal(1UL, counters.BypassPackets);

        // Policy change: the rebuilt rte_acl context takes effect for the next burst.
        Assert.True((await backend.DeletePolicyAsync(3, TestContext.Current.CancellationToken)).IsOk);
        fixture.Inject(fixture.Clear, [TestPackets.Frame(TestPackets.InnerIPv4(90, destination: "10.2.0.150"))]);
        backend.PollOutbound();
        Assert.Equal(50, Assert.Single(fixture.Drain(fixture.Cipher))[14 + 9]);
    }

    [Fact]
    public async Task Soft_and_hard_packet_lifetimes_raise_events_and_then_drop()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x1005, lifetime: new EspLifetime(0, 0, 3, 5)), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x1005), TestContext.Current.CancellationToken);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var events = backend.ReadEventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> first = events.MoveNextAsync();

        fixture.Inject(fixture.Clear, Enumerable.Range(0, 8).Select(_ => TestPackets.Frame(TestPackets.InnerIPv4(64))));
        backend.PollOutbound();

        Assert.Equal(5, fixture.Drain(fixture.Cipher).Count);
        var counters = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(5UL, counters.Packets);
        Assert.Equal(3UL, counters.Drops[DropReason.HardLifetime]);
        Assert.True(await first);
        Assert.IsType<SoftExpireEvent>(events.Current);
        Assert.True(await events.MoveNextAsync());
        Assert.Equal(LifetimeKind.Packets, Assert.IsType<HardExpireEvent>(events.Current).Kind);
        await events.DisposeAsync();
    }
}
