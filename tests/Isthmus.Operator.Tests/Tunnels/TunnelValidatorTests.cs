using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class TunnelValidatorTests
{
    [Fact]
    public void A_valid_tunnel_is_accepted_with_the_daemons_config()
    {
        var tunnel = Fixtures.Tunnel("hq");
        var result = TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel));

        Assert.True(result.Accepted);
        Assert.Equal(TunnelValidator.ReasonAccepted, result.Reason);
        Assert.NotNull(result.Config);
        Assert.Equal("default/hq", result.Config.Name);
        Assert.Empty(result.WeakCryptography);
    }

    [Fact]
    public void An_unknown_algorithm_keyword_is_rejected_naming_the_field()
    {
        var tunnel = Fixtures.Tunnel("hq", edit: s => s.Ike.Proposals = ["aes256gcm16-prfsha384-ecp384", "aes999-sha256-modp2048"]);
        var result = TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel));

        Assert.False(result.Accepted);
        Assert.Equal(TunnelValidator.ReasonInvalidSpec, result.Reason);
        Assert.Contains("spec.ike.proposals[1]", result.Message);
        Assert.Contains("aes999", result.Message);
        Assert.DoesNotContain("IpsecTunnel default/hq", result.Message);
    }

    [Fact]
    public void A_missing_psk_secret_is_reported_as_secret_not_found()
    {
        var tunnel = Fixtures.Tunnel("hq", secret: "absent");
        var result = TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel));

        Assert.False(result.Accepted);
        Assert.Equal(TunnelValidator.ReasonSecretNotFound, result.Reason);
        Assert.Contains("Secret default/absent not found", result.Message);
    }

    [Fact]
    public void A_missing_traffic_selector_is_reported_as_traffic_selector_not_found()
    {
        var tunnel = Fixtures.Tunnel("hq", edit: s => s.TrafficSelectors = new() { Refs = ["lans"] });
        var result = TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel));

        Assert.False(result.Accepted);
        Assert.Equal(TunnelValidator.ReasonTrafficSelectorNotFound, result.Reason);
        Assert.Contains("spec.trafficSelectors.refs[0]", result.Message);
    }

    [Fact]
    public void A_referenced_traffic_selector_resolves()
    {
        var tunnel = Fixtures.Tunnel("hq", edit: s => s.TrafficSelectors = new() { Refs = ["lans"] });
        var store = Fixtures.Store(tunnel);
        store.Add(Fixtures.Selector("lans", "10.1.0.0/16", "10.9.0.0/16"));

        var result = TunnelValidator.Validate(tunnel, store);

        Assert.True(result.Accepted);
        Assert.Single(result.TrafficSelectors);
        Assert.Equal("10.9.0.0", result.Config!.RemoteTs[0].StartAddress.ToString());
    }

    [Fact]
    public void Weak_algorithms_are_accepted_with_a_warning()
    {
        var tunnel = Fixtures.Tunnel("legacy", edit: s =>
        {
            s.Ike.Proposals = ["3des-sha1-modp1024"];
            s.Child.Proposals = ["aes128-sha1"];
        });
        var result = TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel));

        Assert.True(result.Accepted);
        Assert.Equal(2, result.WeakCryptography.Count);
        Assert.Contains("3des", result.WeakCryptography[0]);
        Assert.Contains("modp1024", result.WeakCryptography[0]);
    }

    [Fact]
    public void Errors_never_contain_the_pre_shared_key()
    {
        var tunnel = Fixtures.Tunnel("hq", edit: s => s.Authentication.Psk!.SecretRef.Key = "missing-key");
        var store = Fixtures.Store(tunnel);

        var result = TunnelValidator.Validate(tunnel, store);

        Assert.False(result.Accepted);
        Assert.Contains("has no key 'missing-key'", result.Message);
        Assert.DoesNotContain("example-psk-value", result.Message);
        Assert.DoesNotContain("example-psk-value", result.ToString());
    }
}
