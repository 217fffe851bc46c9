using Isthmus.Dpdk.Engine;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

public sealed class AntiReplayWindowTests
{
    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public void Every_bit_position_of_a_64_bit_bucket_catches_its_replay()
    {
        // rte_ipsec 22.11 loses positions 32-63 (a 32-bit variable holds the bit); this window must not.
        var window = new AntiReplayWindow(64, 0);
        for (ulong s = 1; s <= 200; s++)
        {
            Assert.Equal(DropReason.None, window.Check(s));
            Assert.True(window.Accept(s));
        }

        for (ulong s = 137; s <= 200; s++)
        {
            Assert.Equal(DropReason.Replay, window.Check(s));
            Assert.False(window.Accept(s));
        }

        Assert.Equal(DropReason.ReplayTooOld, window.Check(136));
    }

    [Fact]
    [Trait("RFC", "4303 3.4.3")]
    public void Out_of_order_packets_inside_the_window_are_accepted_once()
    {
        var window = new AntiReplayWindow(4096, 0);
        Assert.True(window.Accept(5000));
        Assert.True(window.Accept(1000));
        Assert.False(window.Accept(1000));
        Assert.Equal(DropReason.ReplayTooOld, window.Check(904));
        Assert.Equal(DropReason.None, window.Check(905));
        Assert.Equal(5000UL, window.Highest);
    }

    [Fact]
    [Trait("RFC", "4303 A2.1")]
    public void Esn_high_half_is_inferred_across_a_2_to_the_32_boundary()
    {
        var window = new AntiReplayWindow(64, 0xFFFF_FFF0UL);
        Assert.Equal(0x1_0000_0002UL, window.Infer(2, esn: true));
        Assert.Equal(0xFFFF_FFE0UL, window.Infer(0xFFFF_FFE0, esn: true));
        Assert.True(window.Accept(0x1_0000_0002UL));
        Assert.Equal(0xFFFF_FFF0UL, window.Infer(0xFFFF_FFF0, esn: true));
        Assert.Equal(DropReason.None, window.Check(0xFFFF_FFF0UL));
    }

    [Fact]
    public void Window_zero_checks_nothing()
    {
        var window = new AntiReplayWindow(0, 0);
        Assert.True(window.Accept(7));
        Assert.True(window.Accept(7));
        Assert.Equal(DropReason.None, window.Check(1));
    }
}
