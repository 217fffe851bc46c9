using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Runtime.Cache;
using k8s;

namespace Isthmus.Operator.Tests.Tunnels;

public sealed class ResourceSerializationTests
{
    private const string Json = """
        {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnelList","metadata":{"resourceVersion":"812"},"items":[
          {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnel",
           "metadata":{"name":"hq","namespace":"default","uid":"u-1","generation":3,"resourceVersion":"811",
                       "finalizers":["ipsec.isthmus.dev/node-config"],"deletionTimestamp":"2025-06-01T12:00:00Z"},
           "spec":{"startAction":"Respond","nodeSelector":{"site":"zrh"},"peer":{"address":"198.51.100.20"},
                   "ike":{"natTraversal":"Force"},"authentication":{"method":"Psk","psk":{"secretRef":{"name":"psk"}}}},
           "status":{"observedGeneration":2,"activeNode":"gw-a",
                     "conditions":[{"type":"Ready","status":"False","reason":"Negotiating","lastTransitionTime":"2025-06-01T11:00:00Z"}]}}]}
        """;

    [Fact]
    public void A_selector_list_with_protocols_as_numbers_and_names_reads_in_full()
    {
        // protocol is int-or-string in the CRD: "protocol: 6" arrives as a JSON number. One such object must not
        // break the informer's list of every TrafficSelector.
        const string selectors = """
            {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"TrafficSelectorList","metadata":{"resourceVersion":"9"},"items":[
              {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"TrafficSelector","metadata":{"name":"web","namespace":"default"},
               "spec":{"local":[{"cidr":"10.1.0.0/16","protocol":6,"ports":{"start":443}}],"remote":[{"cidr":"10.2.0.0/16","protocol":"udp"}]}}]}
            """;

        var list = KubernetesJson.Deserialize<CustomResourceList<TrafficSelectorResource>>(selectors);

        var selector = Assert.Single(list.Items);
        Assert.Equal("6", selector.Spec.Local![0].Protocol);
        Assert.Equal("udp", selector.Spec.Remote![0].Protocol);
    }

    [Fact]
    public void A_tunnel_list_from_the_api_server_reads_with_full_metadata()
    {
        var list = KubernetesJson.Deserialize<CustomResourceList<IpsecTunnelResource>>(Json);

        Assert.Equal("812", list.Metadata.ResourceVersion);
        var tunnel = Assert.Single(list.Items);
        Assert.Equal(new ObjectKey("default", "hq"), ObjectKey.Of(tunnel));
        Assert.Equal(3, tunnel.Metadata.Generation);
        Assert.Equal(["ipsec.isthmus.dev/node-config"], tunnel.Metadata.Finalizers);
        Assert.NotNull(tunnel.Metadata.DeletionTimestamp);
        Assert.Equal(V1Alpha1StartAction.Respond, tunnel.Spec.StartAction);
        Assert.Equal(V1Alpha1NatTraversal.Force, tunnel.Spec.Ike.NatTraversal);
        Assert.Equal("zrh", tunnel.Spec.NodeSelector!["site"]);
        Assert.Equal("gw-a", tunnel.Status!.ActiveNode);
        Assert.Equal(V1Alpha1ConditionStatus.False, tunnel.Status.Conditions![0].Status);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 11, 0, 0, TimeSpan.Zero), tunnel.Status.Conditions[0].LastTransitionTime);
    }

    [Fact]
    public void The_manifest_form_keeps_the_spec_and_identity()
    {
        var tunnel = KubernetesJson.Deserialize<CustomResourceList<IpsecTunnelResource>>(Json).Items[0];

        var api = tunnel.ToApi();

        Assert.Equal(("default", "hq"), (api.Metadata.Namespace, api.Metadata.Name));
        Assert.Same(tunnel.Spec, api.Spec);
    }
}
