using System.Net;
using System.Text;
using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Testing;
using k8s.Models;

namespace Isthmus.Tunnels.Tests;

public class TunnelConfigBuilderTests
{
    private const string SecretValue = "Sup3r-Secret-PSK-do-not-print";

    /// <summary>The valid examples at the top of examples/ (examples/invalid/ holds the ones the CRDs refuse).</summary>
    private static string[] ExampleFiles =>
        Directory.GetFiles(RepositoryPaths.Examples, "*.yaml", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToArray();

    private static V1Secret Secret(string name = "psk", string key = "psk") => new()
    {
        Metadata = new() { Name = name, NamespaceProperty = "default" },
        StringData = new Dictionary<string, string> { [key] = SecretValue },
    };

    private static V1Alpha1IpsecTunnel Tunnel(string name = "t", Action<V1Alpha1IpsecTunnelSpec>? change = null)
    {
        var tunnel = new V1Alpha1IpsecTunnel
        {
            Metadata = { Name = name, NamespaceProperty = "default" },
            Spec =
            {
                Local = { Address = "192.0.2.1" },
                Peer = { Address = "198.51.100.2" },
                Authentication = { Psk = new V1Alpha1PskAuthentication { SecretRef = { Name = "psk" } } },
                TrafficSelectors = { Inline = new V1Alpha1TrafficSelectorSpec { Local = [new() { Cidr = "10.1.0.0/16" }], Remote = [new() { Cidr = "10.2.0.0/16" }] } },
            },
        };
        change?.Invoke(tunnel.Spec);
        return tunnel;
    }

    private static (IReadOnlyList<TunnelConfig> Configs, IReadOnlyList<string> Errors) Build(params object[] resources)
    {
        var set = new ManifestSet(resources.OfType<V1Alpha1IpsecTunnel>(), resources.OfType<V1Alpha1TrafficSelector>(), resources.OfType<V1Secret>());
        var configs = TunnelConfigBuilder.Build(set, out var errors);
        foreach (var error in errors)
        {
            Assert.DoesNotContain(SecretValue, error);
        }
        return (configs, errors);
    }

    private static string SingleError(params object[] resources)
    {
        var (configs, errors) = Build(resources);
        Assert.Empty(configs);
        return Assert.Single(errors);
    }

    [Fact]
    public void Examples_build_into_tunnel_configs()
    {
        var configs = TunnelConfigBuilder.Build(ManifestLoader.Load(ExampleFiles), out var errors);
        Assert.Empty(errors);
        Assert.Equal(["default/branch-to-hq", "default/dc1-to-dc2-v6", "default/hq-to-branch"], configs.Select(c => c.Name).Order());

        var hq = configs.Single(c => c.Name == "default/hq-to-branch");
        Assert.Equal(IPAddress.Parse("192.0.2.10"), hq.LocalAddress);
        Assert.Equal(IPAddress.Parse("198.51.100.20"), hq.PeerAddress);
        Assert.Equal("hq.example.com", hq.LocalId.ToString());
        Assert.Equal(IdType.Fqdn, hq.PeerId!.Type);
        Assert.Equal(Encoding.UTF8.GetBytes("example-only-replace-me-with-32-random-bytes"), hq.Psk);
        Assert.Equal(["AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"], hq.IkeProposals.Select(ProposalFormatter.Format));
        Assert.Equal([1, 2], hq.IkeProposals.Select(p => (int)p.Number));
        Assert.Equal(["AES_GCM_16_256/ECP_384/NO_EXT_SEQ", "AES_GCM_16_128/EXT_SEQ"], hq.EspProposals.Select(ProposalFormatter.Format));
        Assert.Equal(["10.1.0.0/16"], hq.LocalTs.Select(TrafficSelectorText.Format));
        Assert.Equal(["10.2.0.0/16", "10.3.0.10..10.3.0.20[tcp/443]"], hq.RemoteTs.Select(TrafficSelectorText.Format));
        Assert.Equal(TimeSpan.FromHours(4), hq.IkeRekeyTime);
        Assert.Equal(TimeSpan.FromMinutes(66), hq.ChildLifetime);
        Assert.Equal(500_000_000_000ul, hq.ChildRekeyBytes);
        Assert.Equal(64u, hq.ReplayWindow);
        Assert.Equal("lan", hq.ChildName);
        Assert.Empty(hq.Warnings);

        var branch = configs.Single(c => c.Name == "default/branch-to-hq");
        Assert.Equal(StartAction.Respond, branch.StartAction);
        Assert.Equal(["10.2.0.0/16"], branch.LocalTs.Select(TrafficSelectorText.Format));
        Assert.Equal(["10.1.0.0/16", "10.1.0.53..10.1.0.54[udp/53]"], branch.RemoteTs.Select(TrafficSelectorText.Format));
        Assert.Equal("branch-to-hq", branch.ChildName);

        var v6 = configs.Single(c => c.Name == "default/dc1-to-dc2-v6");
        Assert.Equal(IdType.DerAsn1Dn, v6.LocalId.Type);
        Assert.Null(v6.PeerId);
        Assert.Equal(Encoding.UTF8.GetBytes("example-only-replace-me-dc-psk-value"), v6.Psk);
        Assert.Equal(NatTraversalMode.Disabled, v6.NatTraversal);
        Assert.All(v6.LocalTs.Concat(v6.RemoteTs), ts => Assert.Equal(TsType.Ipv6AddrRange, ts.TsType));
        Assert.Equal(["2001:db8:200::/48", "2001:db8:300::/48[ipv6-icmp]"], v6.RemoteTs.Select(TrafficSelectorText.Format));
    }

    [Fact]
    public void Defaults_apply_when_the_spec_leaves_settings_out()
    {
        var (configs, errors) = Build(Tunnel(), Secret());
        Assert.Empty(errors);
        var config = Assert.Single(configs);
        Assert.Equal(IkeIdentity.FromAddress(IPAddress.Parse("192.0.2.1")).Data, config.LocalId.Data);
        Assert.Equal(["AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384", "AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256"], config.IkeProposals.Select(ProposalFormatter.Format));
        Assert.Equal(["AES_GCM_16_256/NO_EXT_SEQ", "AES_GCM_16_128/NO_EXT_SEQ"], config.EspProposals.Select(ProposalFormatter.Format));
        Assert.Equal(TimeSpan.FromHours(4), config.IkeRekeyTime);
        Assert.Equal(TimeSpan.FromHours(1), config.ChildRekeyTime);
        Assert.Equal(TimeSpan.FromSeconds(30), config.DpdDelay);
        Assert.Equal(500, config.PeerPort);
        Assert.Equal(StartAction.Initiate, config.StartAction);
        Assert.DoesNotContain(SecretValue, config.ToString());
    }

    [Fact]
    public void Bad_proposal_is_reported_with_its_field_path_and_keyword()
    {
        var error = SingleError(Tunnel(change: s => s.Ike.Proposals = ["aes256gcm16-prfsha384-ecp384", "aes257-sha256-modp2048"]), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.ike.proposals[1]: unknown algorithm keyword 'aes257' in proposal 'aes257-sha256-modp2048'", error);
    }

    [Fact]
    public void Bad_esp_proposal_is_reported_with_its_field_path()
    {
        var error = SingleError(Tunnel(change: s => s.Child.Proposals = ["aes128gcm16-sha256"]), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.child.proposals[0]: proposal 'aes128gcm16-sha256' combines AEAD encryption 'aes128gcm16' with integrity algorithm 'sha256'; AEAD algorithms provide integrity themselves", error);
    }

    [Fact]
    public void Missing_traffic_selector_reference_is_named()
    {
        var error = SingleError(Tunnel(change: s => s.TrafficSelectors = new() { Refs = ["lans"] }), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.trafficSelectors.refs[0]: TrafficSelector default/lans not found", error);
    }

    [Fact]
    public void Traffic_selector_in_another_namespace_is_not_found()
    {
        var selector = new V1Alpha1TrafficSelector { Metadata = { Name = "lans", NamespaceProperty = "other" }, Spec = { Local = [new() { Cidr = "10.0.0.0/8" }], Remote = [new() { Cidr = "10.9.0.0/16" }] } };
        var error = SingleError(Tunnel(change: s => s.TrafficSelectors = new() { Refs = ["lans"] }), Secret(), selector);
        Assert.Equal("IpsecTunnel default/t: spec.trafficSelectors.refs[0]: TrafficSelector default/lans not found", error);
    }

    [Fact]
    public void Missing_secret_is_named()
    {
        var error = SingleError(Tunnel());
        Assert.Equal("IpsecTunnel default/t: spec.authentication.psk.secretRef.name: Secret default/psk not found", error);
    }

    [Fact]
    public void Missing_secret_key_is_named_without_the_secret_values()
    {
        var error = SingleError(Tunnel(), Secret(key: "other"));
        Assert.Equal("IpsecTunnel default/t: spec.authentication.psk.secretRef.key: Secret default/psk has no key 'psk'", error);
    }

    [Fact]
    public void Psk_from_data_is_the_decoded_bytes_and_stringData_wins_over_data()
    {
        // A Secret's data is base64 in YAML and JSON; the manifest loader refuses one that is not (as the API server does).
        var data = new V1Secret { Metadata = new() { Name = "psk", NamespaceProperty = "default" }, Data = new Dictionary<string, byte[]> { ["psk"] = Encoding.UTF8.GetBytes(SecretValue) } };
        var (configs, _) = Build(Tunnel(), data);
        Assert.Equal(Encoding.UTF8.GetBytes(SecretValue), Assert.Single(configs).Psk);

        var both = new V1Secret
        {
            Metadata = new() { Name = "psk", NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { ["psk"] = [1, 2, 3] },
            StringData = new Dictionary<string, string> { ["psk"] = SecretValue },
        };
        (configs, _) = Build(Tunnel(), both);
        Assert.Equal(Encoding.UTF8.GetBytes(SecretValue), Assert.Single(configs).Psk);
    }

    [Fact]
    public void A_bad_tunnel_is_skipped_and_the_others_still_load()
    {
        var (configs, errors) = Build(Tunnel("good"), Tunnel("bad", s => s.Ike.RekeyTime = "4 hours"), Secret());
        Assert.Equal("default/good", Assert.Single(configs).Name);
        Assert.Equal("IpsecTunnel default/bad: spec.ike.rekeyTime: invalid duration '4 hours': unknown unit ' hours' (ns, us, ms, s, m, h)", Assert.Single(errors));
    }

    [Fact]
    public void All_errors_of_a_tunnel_are_reported()
    {
        var (configs, errors) = Build(Tunnel(change: s =>
        {
            s.Peer.Address = "not an address";
            s.Peer.Port = 70000;
            s.StartAction = V1Alpha1StartAction.OnDemand;
        }), Secret());
        Assert.Empty(configs);
        Assert.Equal(
            [
                "IpsecTunnel default/t: spec.startAction: OnDemand is not supported yet (it needs the dataplane's acquire events); use Initiate or Respond",
                "IpsecTunnel default/t: spec.peer.address: 'not an address' is neither an IP address nor a DNS name",
                "IpsecTunnel default/t: spec.peer.port: 70000 is not a UDP port (1-65535)",
            ],
            errors);
    }

    [Theory]
    [InlineData("cidr", "10.1.0.0/33", null, null, null, "spec.trafficSelectors.inline.remote[0].cidr: '10.1.0.0/33' has an invalid prefix length (0-32)")]
    [InlineData("range", "10.0.0.9", "10.0.0.1", null, null, "spec.trafficSelectors.inline.remote[0].addrEnd: '10.0.0.1' is below addrStart '10.0.0.9'")]
    [InlineData("range", "10.0.0.1", "2001:db8::1", null, null, "spec.trafficSelectors.inline.remote[0].addrEnd: '2001:db8::1' is not of the same address family as addrStart '10.0.0.1'")]
    [InlineData("cidr", "10.0.0.0/8", null, "ftp", null, "spec.trafficSelectors.inline.remote[0].protocol: 'ftp' is not a protocol number (0-255) or one of any, tcp, udp, icmp, icmpv6, sctp, gre")]
    [InlineData("cidr", "10.0.0.0/8", null, null, 80, "spec.trafficSelectors.inline.remote[0].ports: ports need a protocol (RFC 7296 section 3.13.1: with protocol any the port range must be all ports)")]
    [InlineData("cidr", "10.0.0.0/8", null, "udp", 70000, "spec.trafficSelectors.inline.remote[0].ports.start: 70000 is not a port (0-65535)")]
    [Trait("RFC", "7296 3.13.1")]
    public void Bad_selector_entries_are_reported_with_their_field(string kind, string a, string? b, string? protocol, int? port, string expected)
    {
        var entry = kind == "cidr" ? new V1Alpha1TrafficSelectorEntry { Cidr = a } : new V1Alpha1TrafficSelectorEntry { AddrStart = a, AddrEnd = b };
        entry.Protocol = protocol;
        if (port is not null)
        {
            entry.Ports = new V1Alpha1PortRange { Start = port };
        }
        var error = SingleError(Tunnel(change: s => s.TrafficSelectors.Inline!.Remote = [entry]), Secret());
        Assert.Equal("IpsecTunnel default/t: " + expected, error);
    }

    [Fact]
    public void Selector_protocols_and_ports_map_to_ts_fields()
    {
        var (configs, errors) = Build(Tunnel(change: s => s.TrafficSelectors.Inline!.Remote =
        [
            new() { Cidr = "10.2.0.0/16", Protocol = "udp", Ports = new() { Start = 500, End = 4500 } },
            new() { Cidr = "10.3.0.0/16", Protocol = "50" },
        ]), Secret());
        Assert.Empty(errors);
        var remote = Assert.Single(configs).RemoteTs;
        Assert.Equal(new TrafficSelector(TsType.Ipv4AddrRange, 17, 500, 4500, IPAddress.Parse("10.2.0.0"), IPAddress.Parse("10.2.255.255")), remote[0]);
        Assert.Equal(new TrafficSelector(TsType.Ipv4AddrRange, 50, 0, 65535, IPAddress.Parse("10.3.0.0"), IPAddress.Parse("10.3.255.255")), remote[1]);
    }

    [Fact]
    public void Tunnel_without_selectors_is_rejected()
    {
        var (_, errors) = Build(Tunnel(change: s => s.TrafficSelectors = new()), Secret());
        Assert.Equal(
            [
                "IpsecTunnel default/t: spec.trafficSelectors: no local traffic selector (set refs or inline.local)",
                "IpsecTunnel default/t: spec.trafficSelectors: no remote traffic selector (set refs or inline.remote)",
            ],
            errors);
    }

    [Fact]
    public void Identity_errors_name_the_field()
    {
        var error = SingleError(Tunnel(change: s => s.Peer.Id = new() { Type = V1Alpha1IkeIdentityType.IPv4, Value = "branch.example.com" }), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.peer.id.value: 'branch.example.com' is not an IPv4 address", error);
    }

    [Fact]
    public void Local_identity_is_required_without_a_local_address()
    {
        var error = SingleError(Tunnel(change: s => s.Local.Address = null), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.local.id: required when spec.local.address is not set", error);
    }

    [Fact]
    public void Lifetime_must_exceed_rekey_time()
    {
        var error = SingleError(Tunnel(change: s => { s.Child.RekeyTime = "1h"; s.Child.Lifetime = "30m"; }), Secret());
        Assert.Equal("IpsecTunnel default/t: spec.child.lifetime: 30m must be longer than rekeyTime 1h", error);
    }

    [Fact]
    public void Weak_algorithms_load_with_a_warning()
    {
        var (configs, errors) = Build(Tunnel(change: s => s.Ike.Proposals = ["3des-sha1-modp1024"]), Secret());
        Assert.Empty(errors);
        Assert.Equal(["spec.ike.proposals[0] '3des-sha1-modp1024' uses weak algorithms: 3DES_CBC, PRF_HMAC_SHA1, HMAC_SHA1_96, MODP_1024"], Assert.Single(configs).Warnings);
    }

    [Fact]
    public void Dns_peer_has_no_literal_address()
    {
        var (configs, errors) = Build(Tunnel(change: s => { s.Peer.Address = "vpn.branch.example.com"; s.Peer.Port = 4500; }), Secret());
        Assert.Empty(errors);
        var config = Assert.Single(configs);
        Assert.Equal("vpn.branch.example.com", config.PeerHost);
        Assert.Null(config.PeerAddress);
        Assert.Equal(4500, config.PeerPort);
    }
}
