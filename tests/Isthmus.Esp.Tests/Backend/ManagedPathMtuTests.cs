using Microsoft.Extensions.Time.Testing;
using static Isthmus.Esp.Tests.MtuPackets;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Backend;

public sealed class ManagedPathMtuTests
{
    private static readonly EspPolicySelector LanToLan = EspPolicySelector.Between(IpAddressRange.FromCidr("10.1.0.0/16"), IpAddressRange.FromCidr("10.2.0.0/16"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    [Trait("RFC", "1191 4")]
    [Trait("RFC", "1812 4.3.2.8")]
    public async Task Too_big_packets_are_dropped_once_each_and_answered_with_rate_limited_icmp()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var backend = new ManagedEspBackend(clock) { IcmpErrorsPerSecond = 1, IcmpErrorBurst = 2 };
        await backend.AddSaAsync(Sa(EspDirection.Outbound, mtu: 1400), Ct);
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 10), Ct);
        byte[] output = new byte[4000];
        byte[] big = Udp4(payload: 1400);

        PacketResult first = backend.ProcessOutbound(big, output, out int written);
        Assert.Equal(new PacketResult(PacketAction.Reply, DropReason.MtuExceeded, 0x1000), first);
        Assert.Equal(3, output[20]);
        Assert.Equal(4, output[21]);
        Assert.Equal(56, written);
        Assert.Equal(PacketAction.Reply, backend.ProcessOutbound(big, output, out _).Action);
        Assert.Equal(PacketResult.Dropped(DropReason.MtuExceeded, 0x1000), backend.ProcessOutbound(big, output, out written));
        Assert.Equal(0, written);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(PacketAction.Reply, backend.ProcessOutbound(big, output, out _).Action);

        SaCounters counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(4UL, counters.Drops[DropReason.MtuExceeded]);
        Assert.Equal(4UL, counters.Drops.Total);
        Assert.Equal(3UL, counters.IcmpErrors);
        Assert.Equal(0UL, counters.Packets);
    }

    [Fact]
    [Trait("RFC", "4301 8")]
    public async Task Df_clear_packets_leave_as_counted_fragments()
    {
        await using var backend = new ManagedEspBackend();
        await backend.AddSaAsync(Sa(EspDirection.Outbound, mtu: 600), Ct);
        await backend.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 10), Ct);
        byte[] output = new byte[4000];
        byte[] inner = Udp4(payload: 1400);
        inner[6] = 0;

        PacketResult result = backend.ProcessOutbound(inner, output, out int written);

        Assert.Equal(new PacketResult(PacketAction.Forward, DropReason.None, 0x1000) { Fragments = 3 }, result);
        Assert.Equal(3, Split(output.AsSpan(0, written)).Count);
        SaCounters counters = (await backend.GetCountersAsync(Ct)).Sas.Single();
        Assert.Equal(1UL, counters.Packets);
        Assert.Equal(3UL, counters.Fragments);
        Assert.Equal(0UL, counters.Drops.Total);
    }

    [Fact]
    public async Task Outer_fragments_arriving_on_the_cipher_side_are_dropped_as_fragmented()
    {
        await using var backend = new ManagedEspBackend();
        await backend.AddSaAsync(Sa(EspDirection.Inbound), Ct);
        using var peer = new EspOutboundCodec(Sa(EspDirection.Outbound, mtu: 600));
        byte[] packet = new byte[4000];
        byte[] inner = Udp4(payload: 1400);
        inner[6] = 0;
        Assert.Equal(DropReason.None, peer.Encapsulate(inner, packet, out int written, out _));

        foreach (byte[] fragment in Split(packet.AsSpan(0, written)))
        {
            Assert.Equal(DropReason.Fragmented, backend.ProcessInbound(fragment, new byte[2000], out _).Reason);
        }

        Assert.Equal(3UL, (await backend.GetCountersAsync(Ct)).GlobalDrops[DropReason.Fragmented]);
    }
}
