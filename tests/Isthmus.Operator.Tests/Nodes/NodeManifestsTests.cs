using Isthmus.Operator.Nodes;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Nodes;

public sealed class NodeManifestsTests
{
    private static readonly OperatorOptions Options = new() { Namespace = "isthmus-system", DataplanePorts = ["0000:3b:00.0", "net_tap0,iface=isthmus0"] };

    private static Store.NodeConfig Config()
    {
        var tunnel = Fixtures.Tunnel("hq");
        return NodeConfigRenderer.Render("gw-a", "uid-gw-a", [TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel))]);
    }

    [Fact]
    public void The_ike_pod_runs_on_its_node_in_the_host_network_with_only_the_capabilities_it_needs()
    {
        var config = Config();
        var pod = NodeManifests.IkePod(config, "isthmus-system", Options);

        Assert.Equal("isthmus-iked-gw-a", pod.Metadata.Name);
        Assert.Equal("gw-a", pod.Spec.NodeName);
        Assert.True(pod.Spec.HostNetwork);
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Equal(["NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW"], container.SecurityContext.Capabilities.Add);
        Assert.False(container.SecurityContext.Privileged);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal([(500, "UDP"), (4500, "UDP")], container.Ports.Select(p => (p.ContainerPort, p.Protocol)));
        Assert.Contains("/etc/isthmus/tunnels.yaml", container.Args);
        var volume = Assert.Single(pod.Spec.Volumes, v => v.Secret is not null);
        Assert.Equal("isthmus-node-gw-a", volume.Secret.SecretName);
        Assert.Equal(config.Hash, pod.Metadata.Annotations[NodeObjectNames.ConfigHashAnnotation]);
        var owner = Assert.Single(pod.Metadata.OwnerReferences);
        Assert.Equal(("Node", "gw-a", "uid-gw-a"), (owner.Kind, owner.Name, owner.Uid));
        Assert.Equal(NodeObjectNames.ManagedBy, pod.Metadata.Labels[NodeObjectNames.ManagedByLabel]);
    }

    [Fact]
    public void The_config_secret_holds_the_rendered_manifests()
    {
        var config = Config();
        var secret = NodeManifests.ConfigSecret(config, "isthmus-system");

        Assert.Equal("isthmus-node-gw-a", secret.Metadata.Name);
        Assert.Equal("isthmus-system", secret.Metadata.NamespaceProperty);
        Assert.Equal(config.Manifests, secret.Data[NodeObjectNames.ConfigKey]);
        Assert.Equal(config.Hash, secret.Metadata.Annotations[NodeObjectNames.ConfigHashAnnotation]);
    }

    [Fact]
    public void A_new_config_changes_the_pod_spec_hash()
    {
        var first = NodeManifests.IkePod(Config(), "isthmus-system", Options);
        var tunnel = Fixtures.Tunnel("other");
        var other = NodeConfigRenderer.Render("gw-a", "uid-gw-a", [TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel))]);
        var second = NodeManifests.IkePod(other, "isthmus-system", Options);

        Assert.Equal(first.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation], NodeManifests.IkePod(Config(), "isthmus-system", Options).Metadata.Annotations[NodeObjectNames.SpecHashAnnotation]);
        Assert.NotEqual(first.Metadata.Annotations[NodeObjectNames.ConfigHashAnnotation], second.Metadata.Annotations[NodeObjectNames.ConfigHashAnnotation]);
    }

    [Fact]
    public void The_dataplane_is_privileged_with_hugepages_ports_and_crypto_device()
    {
        var ds = NodeManifests.DataplaneDaemonSet("isthmus-system", Options);
        var container = Assert.Single(ds.Spec.Template.Spec.Containers);

        Assert.True(container.SecurityContext.Privileged);
        Assert.Equal("512Mi", container.Resources.Limits["hugepages-2Mi"].ToString());
        Assert.Equal(["--crypto-device", "crypto_aesni_gcm", "--socket", "/run/isthmus/dataplane.sock", "--port", "0000:3b:00.0", "--port", "net_tap0,iface=isthmus0"], container.Args);
        Assert.Equal("true", ds.Spec.Template.Spec.NodeSelector[Placement.DefaultGatewayLabel]);
        Assert.Equal(ds.Spec.Selector.MatchLabels, ds.Spec.Template.Metadata.Labels);
    }

    [Fact]
    public void Long_node_names_give_valid_object_names_and_label_values()
    {
        var node = new string('n', 70) + ".example.com";

        Assert.True(NodeObjectNames.NodeLabelValue(node).Length <= 63);
        Assert.NotEqual(NodeObjectNames.NodeLabelValue(node), NodeObjectNames.NodeLabelValue(node + "x"));
        Assert.Equal("isthmus-node-" + node, NodeObjectNames.ConfigSecret(node));
    }
}
