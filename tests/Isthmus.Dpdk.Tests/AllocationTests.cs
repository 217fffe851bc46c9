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
}
