using System.Text;
using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Nodes;
using k8s.Models;

namespace Isthmus.Operator.Tests.Fakes;

/// <summary>Tunnels, selectors, Secrets and nodes for the tests, modelled on examples/.</summary>
internal static class Fixtures
{
    public const string Ns = "default";

    public static V1Alpha1IpsecTunnel Tunnel(string name, string secret = "psk", Action<V1Alpha1IpsecTunnelSpec>? edit = null)
    {
        var spec = new V1Alpha1IpsecTunnelSpec
        {
            StartAction = V1Alpha1StartAction.Initiate,
            Local = new V1Alpha1LocalEndpoint { Address = "192.0.2.10", Id = new V1Alpha1IkeIdentity { Type = V1Alpha1IkeIdentityType.Fqdn, Value = "hq.example.com" } },
            Peer = new V1Alpha1PeerEndpoint { Address = "198.51.100.20", Id = new V1Alpha1IkeIdentity { Type = V1Alpha1IkeIdentityType.Fqdn, Value = "branch.example.com" } },
            Authentication = new V1Alpha1Authentication { Psk = new V1Alpha1PskAuthentication { SecretRef = new V1Alpha1SecretKeySelector { Name = secret } } },
            Ike = new V1Alpha1IkeSaSpec { Proposals = ["aes256gcm16-prfsha384-ecp384"] },
            Child = new V1Alpha1ChildSaSpec { Proposals = ["aes256gcm16"] },
            TrafficSelectors = new V1Alpha1TunnelTrafficSelectors
            {
                Inline = new V1Alpha1TrafficSelectorSpec
                {
                    Local = [new V1Alpha1TrafficSelectorEntry { Cidr = "10.1.0.0/16" }],
                    Remote = [new V1Alpha1TrafficSelectorEntry { Cidr = "10.2.0.0/16" }],
                },
            },
        };
        edit?.Invoke(spec);
        return new V1Alpha1IpsecTunnel { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, Generation = 1 }, Spec = spec };
    }

    public static V1Alpha1TrafficSelector Selector(string name, string local, string remote) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new V1Alpha1TrafficSelectorSpec
        {
            Local = [new V1Alpha1TrafficSelectorEntry { Cidr = local }],
            Remote = [new V1Alpha1TrafficSelectorEntry { Cidr = remote }],
        },
    };

    public static V1Secret Secret(string name, string psk) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns, ResourceVersion = "1" },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { ["psk"] = Encoding.UTF8.GetBytes(psk), ["unrelated"] = Encoding.UTF8.GetBytes("other") },
    };

    public static GatewayNode Node(string name, bool ready = true, bool gateway = true, params (string Key, string Value)[] labels)
    {
        var dict = labels.ToDictionary(l => l.Key, l => l.Value);
        if (gateway)
        {
            dict[Placement.DefaultGatewayLabel] = "true";
        }
        return new GatewayNode(name, dict, ready, Uid: $"uid-{name}");
    }

    /// <summary>A store with one gateway pair (gw-a, gw-b), a PSK Secret and the given tunnels.</summary>
    public static InMemoryClusterStore Store(params V1Alpha1IpsecTunnel[] tunnels)
    {
        var store = new InMemoryClusterStore();
        store.Nodes.Add(Node("gw-b"));
        store.Nodes.Add(Node("gw-a"));
        store.Nodes.Add(Node("worker-1", gateway: false));
        store.Add(Secret("psk", "example-psk-value-that-is-long-enough"));
        foreach (var t in tunnels)
        {
            store.Add(t);
        }
        return store;
    }
}
