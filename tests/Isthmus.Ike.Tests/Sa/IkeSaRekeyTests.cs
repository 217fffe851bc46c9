using Isthmus.Ike.Config;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Rekeying with CREATE_CHILD_SA, both ends in memory (RFC 7296 §1.3.2, §1.3.3, §2.8, §2.18).
/// </summary>
public class IkeSaRekeyTests
{
    private static TunnelConfig Timers(TunnelConfig c, TimeSpan ike, TimeSpan child) => new()
    {
        Name = c.Name, LocalAddress = c.LocalAddress, PeerHost = c.PeerHost, PeerPort = c.PeerPort, PeerAddress = c.PeerAddress,
        LocalId = c.LocalId, PeerId = c.PeerId, Psk = c.Psk, IkeProposals = c.IkeProposals, EspProposals = c.EspProposals,
        LocalTs = c.LocalTs, RemoteTs = c.RemoteTs, StartAction = c.StartAction, ChildName = c.ChildName,
        IkeRekeyTime = ike, ChildRekeyTime = child, DpdDelay = TimeSpan.Zero,
    };

    /// <summary>The initiator rekeys first: its timers are shorter than the responder's.</summary>
    private static SaPair Pair(string esp = "aes128gcm16", double childHours = 1)
    {
        var standard = SaPair.Standard(esp: esp);
        return new SaPair(
            Timers(standard.InitiatorConfig, TimeSpan.FromHours(4), TimeSpan.FromHours(childHours)),
            Timers(standard.ResponderConfig, TimeSpan.FromHours(8), TimeSpan.FromHours(childHours * 2)));
    }

    /// <code>
    /// HDR, SK {N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr}  --&gt;
    ///                                       &lt;--  HDR, SK {SA, Nr, [KEr,] TSi, TSr}
    /// HDR, SK {D(ESP, old SPI)}              --&gt;
    ///                                       &lt;--  HDR, SK {D(ESP, old SPI)}
    /// </code>
    [Theory]
    [Trait("RFC", "7296 1.3.3")]
    [InlineData("aes128gcm16")]
    [InlineData("aes256-sha256-modp2048")] // PFS: a KE in CREATE_CHILD_SA
    [InlineData("aes128gcm16-curve25519")]
    public void Child_SA_is_rekeyed_on_time_and_the_old_one_deleted(string esp)
    {
        var pair = Pair(esp);
        pair.Start();
        pair.Run();
        var before = Assert.Single(pair.InitiatorSa!.ChildSas);

        pair.Advance(TimeSpan.FromHours(1));
        pair.Run();

        var i = Assert.Single(pair.InitiatorSa!.ChildSas);
        var r = Assert.Single(pair.ResponderSa!.ChildSas);
        Assert.NotEqual(before.SpiIn, i.SpiIn);
        Assert.NotEqual(before.OutboundEncryptionKey, i.OutboundEncryptionKey);
        Assert.Equal(i.SpiIn, r.SpiOut);
        Assert.Equal(i.SpiOut, r.SpiIn);
        Assert.Equal(i.OutboundEncryptionKey, r.InboundEncryptionKey);
        Assert.Equal(i.InboundEncryptionKey, r.OutboundEncryptionKey);
        Assert.Equal(before.LocalTs, i.LocalTs);
        Assert.Equal(1, pair.InitiatorSa.RekeyCount);
        Assert.Contains(pair.InitiatorEvents, e => e is ChildSaRekeyed);
        Assert.Contains(pair.ResponderEvents, e => e is ChildSaDeleted { ByPeer: true } d && d.Child.SpiOut == before.SpiIn);
    }

    /// <code>
    /// HDR, SK {SA, Ni, KEi}  --&gt;   &lt;--  HDR, SK {SA, Nr, KEr}
    /// HDR, SK {D(IKE)} (old SA)  --&gt;   &lt;--  HDR, SK {}
    /// </code>
    [Fact]
    [Trait("RFC", "7296 2.18")]
    public void IKE_SA_is_rekeyed_the_Child_SAs_move_and_the_new_SA_works()
    {
        var pair = Pair(childHours: 4.5);
        pair.Start();
        pair.Run();
        var old = pair.InitiatorSa!;
        var child = Assert.Single(old.ChildSas);

        pair.Advance(TimeSpan.FromHours(4));
        pair.Run();

        var i = Assert.Single(pair.Initiator.Sas);
        var r = Assert.Single(pair.Responder.Sas);
        Assert.NotSame(old, i);
        Assert.NotEqual(old.SpiI, i.SpiI);
        Assert.Equal(i.SpiI, r.SpiI);
        Assert.Equal(i.SpiR, r.SpiR);
        Assert.Equal(IkeSaState.Established, i.State);
        Assert.NotEqual(old.Keys!.SkD, i.Keys!.SkD);
        Assert.Equal(i.Keys.SkD, r.Keys!.SkD);
        Assert.Same(child, Assert.Single(i.ChildSas));
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.Rekeyed });
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.Rekeyed });
        Assert.DoesNotContain(pair.ResponderEvents, e => e is ChildSaDeleted);

        // The new SA carries on: its own message IDs, its own keys, a Child SA rekey through it.
        pair.Advance(TimeSpan.FromHours(0.5));
        pair.Run();
        var rekeyed = Assert.Single(pair.InitiatorSa!.ChildSas);
        Assert.NotEqual(child.SpiIn, rekeyed.SpiIn);
        Assert.Equal(rekeyed.SpiIn, Assert.Single(pair.ResponderSa!.ChildSas).SpiOut);
    }
}
