using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Two in-memory peers run IKE_SA_INIT and IKE_AUTH (RFC 7296 §1.2):
/// <code>
/// HDR, SAi1, KEi, Ni, N(NAT_D)x2          --&gt;
///                                      &lt;--  HDR, SAr1, KEr, Nr, N(NAT_D)x2
/// HDR, SK {IDi, IDr, AUTH, SAi2, TSi, TSr} --&gt;
///                                      &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// </code>
/// </summary>
public class IkeSaEstablishmentTests
{
    [Theory]
    [Trait("RFC", "7296 1.2")]
    [InlineData("aes256gcm16-prfsha384-ecp384", "aes128gcm16")]
    [InlineData("aes128-sha256-modp2048", "aes128-sha256")]
    [InlineData("aes256-sha512-curve25519", "aes256gcm16-esn")]
    [InlineData("chacha20poly1305-prfsha256-curve25519", "chacha20poly1305")]
    [InlineData("aes128ctr-aesxcbc-modp3072", "aes128ctr-sha256")]
    [InlineData("3des-sha1-modp1024", "3des-sha1")]
    [InlineData("aes192gcm8-prfsha512-ecp521", "aes256-sha384")]
    [InlineData("aes128gcm16-prfsha256-curve448", "aes192gcm12")]
    [InlineData("aes256-aescmac-prfaescmac-modp1536", "blowfish256-sha512")]
    public void Both_roles_establish_with_the_same_SPIs_selectors_and_child_keys(string ike, string esp)
    {
        var pair = SaPair.Standard(ike, esp);
        pair.Start();
        pair.Run();

        var i = Assert.Single(pair.Initiator.Sas);
        var r = Assert.Single(pair.Responder.Sas);
        Assert.Equal(IkeSaState.Established, i.State);
        Assert.Equal(IkeSaState.Established, r.State);
        Assert.Equal(i.SpiI, r.SpiI);
        Assert.Equal(i.SpiR, r.SpiR);
        Assert.Equal(i.IkeProposal, r.IkeProposal);
        Assert.Equal("branch.example.com", i.PeerIdentity!.ToString().Split(':')[^1]);

        var ci = Assert.Single(i.ChildSas);
        var cr = Assert.Single(r.ChildSas);
        Assert.Equal(ci.SpiIn, cr.SpiOut);
        Assert.Equal(ci.SpiOut, cr.SpiIn);
        Assert.Equal(ci.OutboundEncryptionKey, cr.InboundEncryptionKey);
        Assert.Equal(ci.InboundEncryptionKey, cr.OutboundEncryptionKey);
        Assert.Equal(ci.OutboundIntegrityKey, cr.InboundIntegrityKey);
        Assert.NotEqual(ci.OutboundEncryptionKey, ci.InboundEncryptionKey);
        Assert.Equal(ci.LocalTs, cr.RemoteTs);
        Assert.Equal(ci.RemoteTs, cr.LocalTs);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaEstablished);
        Assert.Contains(pair.ResponderEvents, e => e is ChildSaEstablished);
    }

    [Fact]
    [Trait("RFC", "7296 2.9")]
    public void Responder_narrows_traffic_selectors_to_its_policy()
    {
        var pair = new SaPair(
            SaPair.Config("hq", "hq.example.com", "branch.example.com", localTs: "10.1.0.0/16", remoteTs: "10.0.0.0/8",
                peer: SaPair.ResponderEndpoint.Address),
            SaPair.Config("branch", "branch.example.com", "hq.example.com", localTs: "10.2.3.0/24", remoteTs: "10.1.2.0/24",
                peer: SaPair.InitiatorEndpoint.Address, start: StartAction.Respond));
        pair.Start();
        pair.Run();

        var child = Assert.Single(pair.InitiatorSa!.ChildSas);
        Assert.Equal("10.1.2.0/24", TrafficSelectorText.Format(Assert.Single(child.LocalTs)));
        Assert.Equal("10.2.3.0/24", TrafficSelectorText.Format(Assert.Single(child.RemoteTs)));
    }

    [Fact]
    [Trait("RFC", "7296 2.9")]
    public void Disjoint_selectors_fail_the_child_with_TS_UNACCEPTABLE_but_keep_the_IKE_SA()
    {
        var pair = new SaPair(
            SaPair.Config("hq", "hq.example.com", "branch.example.com", localTs: "10.1.0.0/16", remoteTs: "10.9.0.0/16",
                peer: SaPair.ResponderEndpoint.Address),
            SaPair.Config("branch", "branch.example.com", "hq.example.com", localTs: "10.2.0.0/16", remoteTs: "10.1.0.0/16",
                peer: SaPair.InitiatorEndpoint.Address, start: StartAction.Respond));
        pair.Start();
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Empty(pair.InitiatorSa.ChildSas);
        Assert.Empty(pair.ResponderSa!.ChildSas);
        Assert.Contains(pair.InitiatorEvents, e => e is ChildSaFailed { Notify: NotifyType.TsUnacceptable });
    }

    [Fact]
    [Trait("RFC", "7296 2.15")]
    public void Wrong_psk_fails_with_AUTHENTICATION_FAILED_on_both_sides()
    {
        var pair = SaPair.Standard(responderPsk: "another secret");
        pair.Start();
        pair.Run();

        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Notify: NotifyType.AuthenticationFailed });
        Assert.Contains(pair.ResponderEvents, e => e is IkeSaClosed { Notify: NotifyType.AuthenticationFailed });
        Assert.DoesNotContain(pair.ResponderEvents.OfType<IkeSaClosed>(), e => e.Detail.Contains("another secret"));
    }

    [Fact]
    [Trait("RFC", "7296 2.7")]
    public void No_common_proposal_fails_with_NO_PROPOSAL_CHOSEN()
    {
        var pair = SaPair.Standard("aes256gcm16-prfsha384-ecp384", responderIke: "aes128-sha256-modp2048");
        pair.Start();
        pair.Run();

        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Responder.Sas);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Notify: NotifyType.NoProposalChosen });
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void Initiator_retries_with_the_group_named_in_INVALID_KE_PAYLOAD()
    {
        var pair = SaPair.Standard("aes128-sha256-ecp256-modp2048", responderIke: "aes128-sha256-modp2048");
        pair.Start();
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(DhGroup.Modp2048, pair.InitiatorSa.IkeProposal!.DhGroup);
    }

    [Fact]
    [Trait("RFC", "7296 2.6")]
    public void Initiator_reflects_the_COOKIE_when_the_responder_demands_one()
    {
        var pair = SaPair.Standard(options: new IkeSaOptions { CookieThreshold = 0 });
        pair.Start();
        pair.DeliverOne(); // request reaches the responder
        Assert.Empty(pair.Responder.Sas); // no state kept for a cookie-less request
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
    }
}

/// <summary>NAT traversal settings (RFC 7296 §2.23, RFC 3948) with no NAT on the path.</summary>
public class NatTraversalModeTests
{
    private static TunnelConfig With(TunnelConfig c, NatTraversalMode mode) => new()
    {
        Name = c.Name, LocalAddress = c.LocalAddress, PeerHost = c.PeerHost, PeerPort = c.PeerPort, PeerAddress = c.PeerAddress,
        LocalId = c.LocalId, PeerId = c.PeerId, Psk = c.Psk, IkeProposals = c.IkeProposals, EspProposals = c.EspProposals,
        LocalTs = c.LocalTs, RemoteTs = c.RemoteTs, StartAction = c.StartAction, ChildName = c.ChildName, NatTraversal = mode,
    };

    [Fact]
    [Trait("RFC", "3948 2.1")]
    public void Force_makes_both_ends_float_to_4500_and_encapsulate_without_a_NAT()
    {
        var standard = SaPair.Standard();
        var pair = new SaPair(With(standard.InitiatorConfig, NatTraversalMode.Force), standard.ResponderConfig);
        pair.Start();
        pair.Run();

        var i = pair.InitiatorSa!;
        var r = pair.ResponderSa!;
        Assert.Equal(IkeSaState.Established, i.State);
        Assert.True(i.NatLocal);
        Assert.True(r.NatRemote);
        Assert.Equal(4500, i.RemoteEndpoint.Port);
        Assert.Equal(4500, r.RemoteEndpoint.Port);
        Assert.True(Assert.Single(i.ChildSas).UdpEncapsulation);
        Assert.True(Assert.Single(r.ChildSas).UdpEncapsulation);
    }

    [Fact]
    [Trait("RFC", "7296 2.23")]
    public void Auto_without_a_NAT_stays_on_500_with_plain_ESP_and_Disabled_sends_no_NAT_detection()
    {
        var auto = SaPair.Standard();
        auto.Start();
        auto.Run();
        Assert.False(auto.InitiatorSa!.UseNatT);
        Assert.Equal(500, auto.InitiatorSa.RemoteEndpoint.Port);
        Assert.False(Assert.Single(auto.ResponderSa!.ChildSas).UdpEncapsulation);

        var standard = SaPair.Standard();
        var disabled = new SaPair(With(standard.InitiatorConfig, NatTraversalMode.Disabled), standard.ResponderConfig);
        disabled.Start();
        var request = disabled.DeliverOne();
        Assert.True(Isthmus.Ike.Messages.IkeMessage.TryDecode(request.Data, out var message, out _));
        Assert.Null(message!.GetNotify(NotifyType.NatDetectionSourceIp));
        disabled.Run();
        Assert.Equal(IkeSaState.Established, disabled.InitiatorSa!.State);
        Assert.False(disabled.ResponderSa!.UseNatT);
    }
}
