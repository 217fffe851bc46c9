using System.Text;
using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;
using Isthmus.Tunnels;
using k8s.Models;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class NodeConfigRendererTests
{
    [Fact]
    public void The_rendered_yaml_loads_in_the_daemon_as_the_same_tunnels()
    {
        var inline = Fixtures.Tunnel("hq-to-branch", edit: s =>
        {
            s.Child.Proposals = ["aes256gcm16-ecp384", "aes128gcm16-esn"];
            s.Child.RekeyTime = "1h";
            s.Child.Lifetime = "66m";
            s.Child.RekeyBytes = 500_000_000_000;
            s.Child.ReplayWindow = 64;
            s.TrafficSelectors.Inline!.Remote!.Add(new() { AddrStart = "10.3.0.10", AddrEnd = "10.3.0.20", Protocol = "tcp", Ports = new() { Start = 443 } });
        });
        var refs = Fixtures.Tunnel("branch-dns", edit: s =>
        {
            s.StartAction = V1Alpha1StartAction.Respond;
            s.Local = new() { Address = "2001:db8:1::1", Id = new() { Type = V1Alpha1IkeIdentityType.DerAsn1Dn, Value = "C=CH, O=Example AG, CN=dc1" } };
            s.Peer = new() { Address = "2001:db8:2::1", Port = 4500 };
            s.TrafficSelectors = new() { Refs = ["v6-lans"] };
        });
        var store = Fixtures.Store(inline, refs);
        store.Add(new V1Alpha1TrafficSelector
        {
            Metadata = new V1ObjectMeta { Name = "v6-lans", NamespaceProperty = Fixtures.Ns },
            Spec = new() { Local = [new() { Cidr = "2001:db8:100::/48" }], Remote = [new() { Cidr = "2001:db8:200::/48", Protocol = "icmpv6" }] },
        });
        var validations = new[] { TunnelValidator.Validate(inline, store), TunnelValidator.Validate(refs, store) };
        Assert.All(validations, v => Assert.True(v.Accepted, v.Message));

        var config = NodeConfigRenderer.Render("gw-a", "uid-gw-a", validations);
        var file = Path.Combine(Path.GetTempPath(), $"isthmus-render-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllBytes(file, config.Manifests);
            var loaded = TunnelConfigBuilder.Build(ManifestLoader.Load(file), out var errors);

            Assert.Empty(errors);
            Assert.Equal(2, loaded.Count);
            foreach (var expected in validations.Select(v => v.Config!))
            {
                var actual = Assert.Single(loaded, c => c.Name == expected.Name);
                Assert.Equal(Describe(expected), Describe(actual));
                Assert.Equal(expected.Psk, actual.Psk);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Rendering_is_deterministic_whatever_the_order_of_the_tunnels()
    {
        var a = Fixtures.Tunnel("a");
        var b = Fixtures.Tunnel("b");
        var store = Fixtures.Store(a, b);
        var va = TunnelValidator.Validate(a, store);
        var vb = TunnelValidator.Validate(b, store);

        var first = NodeConfigRenderer.Render("gw-a", null, [va, vb]);
        var second = NodeConfigRenderer.Render("gw-a", null, [vb, va]);

        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Manifests, second.Manifests);
        Assert.Equal(2, first.Tunnels.Count);
    }

    [Fact]
    public void Only_the_referenced_secret_key_is_rendered_and_status_is_left_out()
    {
        var tunnel = Fixtures.Tunnel("hq");
        tunnel.Status = new() { ActiveNode = "gw-a", RekeyCount = 7 };
        var store = Fixtures.Store(tunnel);

        var config = NodeConfigRenderer.Render("gw-a", null, [TunnelValidator.Validate(tunnel, store)]);
        var yaml = Encoding.UTF8.GetString(config.Manifests);

        Assert.Contains("psk:", yaml);
        Assert.DoesNotContain("unrelated", yaml);
        Assert.DoesNotContain("status", yaml);
        Assert.DoesNotContain("rekeyCount", yaml);
    }

    [Fact]
    public void A_rotated_psk_changes_the_hash()
    {
        var tunnel = Fixtures.Tunnel("hq");
        var store = Fixtures.Store(tunnel);
        var before = NodeConfigRenderer.Render("gw-a", null, [TunnelValidator.Validate(tunnel, store)]);

        store.Add(Fixtures.Secret("psk", "a-new-pre-shared-key-after-rotation"));
        var after = NodeConfigRenderer.Render("gw-a", null, [TunnelValidator.Validate(tunnel, store)]);

        Assert.NotEqual(before.Hash, after.Hash);
    }

    [Fact]
    public void The_config_description_shows_no_key_material()
    {
        var tunnel = Fixtures.Tunnel("hq");
        var config = NodeConfigRenderer.Render("gw-a", null, [TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel))]);

        Assert.DoesNotContain("example-psk", config.ToString());
        Assert.Contains("gw-a", config.ToString());
    }

    private static string Describe(TunnelConfig c) => string.Join("|",
        c.Name, c.LocalAddress, c.PeerHost, c.PeerPort, c.LocalId, c.PeerId, c.StartAction,
        string.Join(",", c.IkeProposals.Select(ProposalFormatter.Format)),
        string.Join(",", c.EspProposals.Select(ProposalFormatter.Format)),
        string.Join(",", c.LocalTs.Select(TrafficSelectorText.Format)),
        string.Join(",", c.RemoteTs.Select(TrafficSelectorText.Format)),
        c.IkeRekeyTime, c.IkeLifetime, c.ChildRekeyTime, c.ChildLifetime, c.ChildRekeyBytes, c.ChildLifeBytes,
        c.ChildRekeyPackets, c.ChildLifePackets, c.DpdDelay, c.NatTraversal, c.Fragmentation, c.ChildName, c.ReplayWindow);
}
