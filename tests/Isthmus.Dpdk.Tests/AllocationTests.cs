using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

[Collection(DpdkCollection.Name)]
public sealed class AllocationTests(DpdkFixture fixture)
{
    [Fact]
    public async Task Outbound_and_inbound_bursts_allocate_no_managed_memory()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture);
        await backend.AddSaAsync(TestPackets.Outbound(0x4001), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x4001), TestContext.Current.CancellationToken);
        await backend.AddSaAsync(TestPackets.Inbound(0x4002), TestContext.Current.CancellationToken);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x4002));
        byte[] clear = TestPackets.Frame(TestPackets.InnerIPv4(500));
        byte[] esp = TestPackets.Frame(TestPackets.Encapsulate(peer, TestPackets.InnerIPv4(500, source: "10.2.0.1", destination: "10.1.0.1")));
        byte[][] espBurst = Enumerable.Range(0, 32).Select(_ => TestPackets.Frame(TestPackets.Encapsulate(peer, TestPackets.InnerIPv4(500, source: "10.2.0.1", destination: "10.1.0.1")))).ToArray();

        // Warm up (JIT, tiering, type initialisers) on a few bursts each way.
        for (int round = 0; round < 3; round++)
        {
            fixture.Inject(fixture.Clear, Enumerable.Repeat(clear, 32));
            backend.PollOutbound();
            fixture.Drain(fixture.Cipher);
        }

        fixture.Inject(fixture.Cipher, [esp]);
        backend.PollInbound();
        fixture.Drain(fixture.Clear);

        fixture.Inject(fixture.Clear, Enumerable.Repeat(clear, 32));
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sent = backend.PollOutbound();
        long outbound = GC.GetAllocatedBytesForCurrentThread() - before;
        fixture.Drain(fixture.Cipher);

        fixture.Inject(fixture.Cipher, espBurst);
        before = GC.GetAllocatedBytesForCurrentThread();
        int received = backend.PollInbound();
        long inbound = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(32, sent);
        Assert.Equal(32, received);
        Assert.Equal(32, fixture.Drain(fixture.Clear).Count);
        Assert.Equal(0, outbound);
        Assert.Equal(0, inbound);
    }

    [Fact]
    public async Task Fragmenting_icmp_and_mss_clamping_bursts_allocate_no_managed_memory()
    {
        fixture.RequireDpdk();
        await using var backend = await TestPackets.Backend(fixture, icmpPerSecond: 1_000_000, icmpBurst: 1000);
        await backend.AddSaAsync(TestPackets.Outbound(0x4003, mtu: 1000), TestContext.Current.CancellationToken);
        await backend.AddPolicyAsync(TestPackets.ProtectOut(1, 0x4003), TestContext.Current.CancellationToken);
        await backend.AddSaAsync(TestPackets.Inbound(0x4004, mtu: 1000), TestContext.Current.CancellationToken);
        using var peer = new EspOutboundCodec(TestPackets.PeerOutbound(0x4004, mtu: 600));

        // A burst of DF-clear packets to fragment, DF-set ones to answer with ICMP, and SYNs to clamp.
        byte[][] clear = Enumerable.Range(0, 32).Select(i => TestPackets.Frame(
            (i % 3) switch
            {
                0 => TestPackets.WithoutDf(TestPackets.InnerIPv4(1400)),
                1 => TestPackets.InnerIPv4(1400),
                _ => TestPackets.TcpSyn(1460),
            })).ToArray();

        // And the peer's fragments to reassemble, each packet in 3 fragments (30 frames, 10 packets).
        byte[] inner = TestPackets.WithoutDf(TestPackets.InnerIPv4(1400, source: "10.2.0.1", destination: "10.1.0.1"));
        byte[][] Fragments()
        {
            var frames = new List<byte[]>();
            for (int i = 0; i < 10; i++)
            {
                byte[] output = new byte[4000];
                Assert.Equal(DropReason.None, peer.Encapsulate(inner, output, out int written, out _));
                frames.AddRange(TestPackets.Split(output.AsSpan(0, written)).Select(f => TestPackets.Frame(f)));
            }

            return frames.ToArray();
        }

        for (int round = 0; round < 3; round++)
        {
            fixture.Inject(fixture.Clear, clear);
            backend.PollOutbound();
            fixture.Drain(fixture.Cipher);
            fixture.Drain(fixture.Clear);
            fixture.Inject(fixture.Cipher, Fragments());
            backend.PollInbound();
            fixture.Drain(fixture.Clear);
        }

        fixture.Inject(fixture.Clear, clear);
        long before = GC.GetAllocatedBytesForCurrentThread();
        backend.PollOutbound();
        long outbound = GC.GetAllocatedBytesForCurrentThread() - before;
        int replies = fixture.Drain(fixture.Clear).Count;
        int sent = fixture.Drain(fixture.Cipher).Count;

        fixture.Inject(fixture.Cipher, Fragments());
        before = GC.GetAllocatedBytesForCurrentThread();
        backend.PollInbound();
        long inbound = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(11, replies);
        Assert.Equal((11 * 2) + 10, sent);
        Assert.Equal(10, fixture.Drain(fixture.Clear).Count);
        Assert.Equal(0, outbound);
        Assert.Equal(0, inbound);
    }
}
