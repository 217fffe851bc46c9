using System.Buffers.Binary;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

[Collection(DpdkCollection.Name)]
public sealed class InboundTests(DpdkFixture fixture)
{
    // Cipher side: Eth | IPv4(peer -> us, 50) | ESP from the managed codec -> rte_ipsec_sad by SPI ->
    // aesni_gcm decrypt and verify -> rte_ipsec_pkt_process (replay, trailer) -> selectors -> clear side.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    [Trait("RFC", "4303 3.4")]
    [Trait("RFC", "3948 2.1")]
    public async Task Packets_from_the_managed_codec_are_decrypted_to_the_clear_side(bool udp)
    {
        fixture.RequireDpdk();
        UdpEncapsulation? encapsulation = udp ? UdpEncapsulation.Default : null;
        await using var backend = await TestPackets.Backend(fixture);
        Assert.True((await backend.AddSaAsync(TestPackets.Inbound(0x3001, encapsulation: encapsulation), TestContext.Current.CancellationToken)).IsOk);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3001, encapsulation));

        byte[][] inner = [TestPackets.InnerIPv4(46, source: "10.2.0.9", destination: "10.1.0.5"), TestPackets.InnerIPv4(1400, source: "10.2.3.4", destination: "10.1.9.9")];
        fixture.Inject(fixture.Cipher, inner.Select(p => TestPackets.Frame(TestPackets.Encapsulate(peer, p))));
        Assert.Equal(2, backend.PollInbound());

        List<byte[]> clear = fixture.Drain(fixture.Clear);
        Assert.Equal(2, clear.Count);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(TestPackets.ClearNextHop, clear[i][..6]);
            Assert.Equal(inner[i], clear[i][14..]);
        }

        var sa = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(2UL, sa.Packets);
        Assert.Equal(1446UL, sa.Bytes);
        Assert.Equal(0UL, sa.Drops.Total);
    }

    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public async Task Replayed_and_too_old_packets_are_dropped_and_counted()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3002, replayWindow: 64), TestContext.Current.CancellationToken);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3002));
        byte[] inner = TestPackets.InnerIPv4(60, source: "10.2.0.1", destination: "10.1.0.1");
        byte[][] packets = Enumerable.Range(0, 101).Select(_ => TestPackets.Frame(TestPackets.Encapsulate(peer, inner))).ToArray();

        // Sequence numbers 1..100 accepted in bursts of 25; then the replays below.
        for (int i = 0; i < 100; i += 25)
        {
            fixture.Inject(fixture.Cipher, packets.Skip(i).Take(25));
            backend.PollInbound();
        }

        // 100 (100 mod 64 = 36) and 37 (37 mod 64 = 37) are replays rte_ipsec 22.11 alone lets through
        // (its window bit for positions 32-63 is truncated to 32 bits); 10 is left of the window.
        fixture.Inject(fixture.Cipher, [packets[99]]);
        backend.PollInbound();
        fixture.Inject(fixture.Cipher, [packets[36]]);
        backend.PollInbound();
        fixture.Inject(fixture.Cipher, [packets[9]]);
        backend.PollInbound();
        fixture.Inject(fixture.Cipher, [packets[64], packets[64]]);
        backend.PollInbound();

        // 101 twice in one burst: both pass the pre-crypto check, the second is refused once the first is authenticated.
        fixture.Inject(fixture.Cipher, [packets[100], packets[100]]);
        backend.PollInbound();

        Assert.Equal(101, fixture.Drain(fixture.Clear).Count);
        var sa = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(101UL, sa.Packets);
        Assert.Equal(5UL, sa.Drops[DropReason.Replay]);
        Assert.Equal(1UL, sa.Drops[DropReason.ReplayTooOld]);
        Assert.Equal(101UL, (await backend.ListSasAsync(TestContext.Current.CancellationToken)).Single().SequenceNumber);
    }

    [Fact]
    [Trait("RFC", "4303 3.4.4")]
    public async Task Forged_icv_is_dropped_and_never_reaches_the_clear_side()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3003), TestContext.Current.CancellationToken);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3003));
        byte[] good = TestPackets.Frame(TestPackets.Encapsulate(peer, TestPackets.InnerIPv4(100, source: "10.2.0.1", destination: "10.1.0.1")));
        byte[] badIcv = (byte[])good.Clone();
        badIcv[^1] ^= 0x01;
        byte[] badCiphertext = (byte[])good.Clone();
        badCiphertext[14 + 20 + 16 + 5] ^= 0x80;

        fixture.Inject(fixture.Cipher, [badIcv, badCiphertext]);
        backend.PollInbound();

        Assert.Empty(fixture.Drain(fixture.Clear));
        var sa = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(2UL, sa.Drops[DropReason.IntegrityFailed]);
        Assert.Equal(0UL, sa.Packets);

        // The forged copies did not advance the window: the genuine packet still passes.
        fixture.Inject(fixture.Cipher, [good]);
        backend.PollInbound();
        Assert.Single(fixture.Drain(fixture.Clear));
    }

    [Fact]
    [Trait("RFC", "4303 2.4")]
    public async Task Hostile_packets_each_get_one_drop_reason()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3004), TestContext.Current.CancellationToken);
        byte[] key = TestPackets.GcmKey(0x33);
        byte[] inner = TestPackets.InnerIPv4(20 + 8 + 2, source: "10.2.0.1", destination: "10.1.0.1");
        byte[] outside = TestPackets.InnerIPv4(30, source: "10.9.0.1", destination: "10.1.0.1");

        byte[] Plaintext(byte[] packet, byte[] pad, byte nextHeader) => [.. packet, .. pad, (byte)pad.Length, nextHeader];

        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3004));
        byte[] truncated = TestPackets.Frame(TestPackets.Encapsulate(peer, inner))[..(14 + 20 + 8 + 8 + 4)];
        BinaryPrimitives.WriteUInt16BigEndian(truncated.AsSpan(14 + 2), (ushort)(truncated.Length - 14));
        byte[] unknownSpi = TestPackets.Frame(TestPackets.RawGcmEsp(key, 0x9999, 1, Plaintext(inner, [], 4)));
        byte[] badPadding = TestPackets.Frame(TestPackets.RawGcmEsp(key, 0x3004, 11, Plaintext(inner, [1, 2, 3, 9], 4)));
        byte[] badNextHeader = TestPackets.Frame(TestPackets.RawGcmEsp(key, 0x3004, 12, Plaintext(inner, [], 17)));
        byte[] dummy = TestPackets.Frame(TestPackets.RawGcmEsp(key, 0x3004, 13, Plaintext(inner, [], 59)));
        byte[] selectorMismatch = TestPackets.Frame(TestPackets.RawGcmEsp(key, 0x3004, 14, Plaintext(outside, [], 4)));
        byte[] runtFrame = [.. TestPackets.Frame([0x45])[..14], 0x45, 0];

        fixture.Inject(fixture.Cipher, [truncated, unknownSpi, badPadding, badNextHeader, dummy, selectorMismatch, runtFrame]);
        backend.PollInbound();

        var counters = await backend.GetCountersAsync(TestContext.Current.CancellationToken);
        var sa = counters.Sas.Single();
        Assert.Empty(fixture.Drain(fixture.Clear));
        Assert.Equal(1UL, sa.Drops[DropReason.Runt]);
        Assert.Equal(1UL, counters.GlobalDrops[DropReason.UnknownSpi]);
        Assert.Equal(1UL, sa.Drops[DropReason.BadPadding]);
        Assert.Equal(1UL, sa.Drops[DropReason.BadNextHeader]);
        Assert.Equal(1UL, sa.Drops[DropReason.DummyPacket]);
        Assert.Equal(1UL, sa.Drops[DropReason.SelectorMismatch]);
        Assert.Equal(1UL, counters.GlobalDrops[DropReason.Runt]);
        Assert.Equal(5UL, sa.Drops.Total);
        Assert.Equal(2UL, counters.GlobalDrops.Total);
    }

    [Fact]
    [Trait("RFC", "3948 2.2")]
    [Trait("RFC", "3948 2.3")]
    public async Task Nat_keepalives_and_ike_on_4500_go_to_the_host_and_are_never_decrypted()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3005, encapsulation: UdpEncapsulation.Default), TestContext.Current.CancellationToken);

        byte[] Udp(byte[] payload, ushort port = 4500)
        {
            byte[] ip = new byte[28 + payload.Length];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)ip.Length);
            ip[8] = 64;
            ip[9] = 17;
            TestPackets.Peer.TryWriteBytes(ip.AsSpan(12), out _);
            TestPackets.Local.TryWriteBytes(ip.AsSpan(16), out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(20), port);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(22), port);
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(24), (ushort)(8 + payload.Length));
            payload.CopyTo(ip, 28);
            return TestPackets.Frame(ip);
        }

        byte[] ikeWithMarker = [0, 0, 0, 0, .. Enumerable.Repeat((byte)0x21, 40)];
        fixture.Inject(fixture.Cipher, [Udp([0xFF]), Udp(ikeWithMarker), Udp(new byte[40], 500)]);
        backend.PollInbound();

        Assert.Empty(fixture.Drain(fixture.Clear));
        var counters = await backend.GetCountersAsync(TestContext.Current.CancellationToken);
        Assert.Equal(3UL, counters.HostPackets);
        Assert.Equal(0UL, counters.GlobalDrops.Total);
        Assert.Equal(0UL, counters.Sas.Single().Drops.Total);
    }

    [Fact]
    public async Task Deleting_an_inbound_sa_makes_its_spi_unknown()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3006), TestContext.Current.CancellationToken);
        Assert.Equal(ControlError.AlreadyExists, (await backend.AddSaAsync(TestPackets.Inbound(0x3006), TestContext.Current.CancellationToken)).Error);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3006));
        byte[] packet = TestPackets.Frame(TestPackets.Encapsulate(peer, TestPackets.InnerIPv4(64, source: "10.2.0.1", destination: "10.1.0.1")));

        Assert.True((await backend.DeleteSaAsync(0x3006, EspDirection.Inbound, TestContext.Current.CancellationToken)).IsOk);
        fixture.Inject(fixture.Cipher, [packet]);
        backend.PollInbound();

        Assert.Empty(fixture.Drain(fixture.Clear));
        Assert.Equal(1UL, (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).GlobalDrops[DropReason.UnknownSpi]);
        Assert.Equal(ControlError.NotFound, (await backend.DeleteSaAsync(0x3006, EspDirection.Inbound, TestContext.Current.CancellationToken)).Error);
    }

    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public async Task Updating_an_sa_keeps_its_counters_and_replay_window()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Inbound(0x3007), TestContext.Current.CancellationToken);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x3007));
        byte[] inner = TestPackets.InnerIPv4(64, source: "10.2.0.1", destination: "10.1.0.1");
        byte[][] packets = Enumerable.Range(0, 40).Select(_ => TestPackets.Frame(TestPackets.Encapsulate(peer, inner))).ToArray();
        fixture.Inject(fixture.Cipher, packets);
        backend.PollInbound();
        backend.PollInbound();

        // A new outer address (e.g. the peer moved behind another NAT mapping) needs a new native SA.
        EspSa moved = TestPackets.Inbound(0x3007);
        moved = new EspSa
        {
            Spi = moved.Spi,
            Direction = moved.Direction,
            TunnelSource = System.Net.IPAddress.Parse("198.51.100.77"),
            TunnelDestination = moved.TunnelDestination,
            Encryption = moved.Encryption,
            EncryptionKey = moved.EncryptionKey,
            ReplayWindow = moved.ReplayWindow,
            LocalSelectors = moved.LocalSelectors,
            RemoteSelectors = moved.RemoteSelectors,
            Lifetime = new EspLifetime(0, 0, 0, 1000),
        };
        Assert.True((await backend.UpdateSaAsync(moved, TestContext.Current.CancellationToken)).IsOk);
        fixture.Inject(fixture.Cipher, [packets[35], TestPackets.Frame(TestPackets.Encapsulate(peer, inner))]);
        backend.PollInbound();

        Assert.Equal(41, fixture.Drain(fixture.Clear).Count);
        var sa = (await backend.GetCountersAsync(TestContext.Current.CancellationToken)).Sas.Single();
        Assert.Equal(41UL, sa.Packets);
        Assert.Equal(1UL, sa.Drops[DropReason.Replay]);
        var summary = (await backend.ListSasAsync(TestContext.Current.CancellationToken)).Single();
        Assert.Equal(41UL, summary.SequenceNumber);
        Assert.Equal(1000UL, summary.Lifetime.HardPackets);
    }
}
