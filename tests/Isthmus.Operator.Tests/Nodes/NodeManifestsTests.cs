using Isthmus.Operator.Nodes;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Nodes;

public sealed class NodeManifestsTests
{
    private static readonly OperatorOptions Options = new()
    {
        Namespace = "isthmus-system",
        DataplaneCipherPort = "0000:3b:00.0",
        DataplaneHostPort = "net_tap0,iface=isthmus0",
        DataplaneCipherNextHopMac = "02:00:5e:00:01:01",
    };

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
    public void The_ike_pod_is_sized_for_about_a_thousand_sas_by_default_without_a_cpu_limit()
    {
        var resources = NodeManifests.IkePod(Config(), "isthmus-system", Options).Spec.Containers[0].Resources;

        Assert.Equal("100m", resources.Requests["cpu"].ToString());
        Assert.Equal("256Mi", resources.Requests["memory"].ToString());
        Assert.Equal("1Gi", resources.Limits["memory"].ToString());
        Assert.False(resources.Limits.ContainsKey("cpu"));
    }

    [Fact]
    public void The_ike_pod_takes_its_cpu_and_memory_from_the_options()
    {
        var options = Options with { IkeCpuRequest = "500m", IkeCpuLimit = "2", IkeMemoryRequest = "1Gi", IkeMemoryLimit = "4Gi" };

        var pod = NodeManifests.IkePod(Config(), "isthmus-system", options);
        var resources = pod.Spec.Containers[0].Resources;

        Assert.Equal("500m", resources.Requests["cpu"].ToString());
        Assert.Equal("2", resources.Limits["cpu"].ToString());
        Assert.Equal("1Gi", resources.Requests["memory"].ToString());
        Assert.Equal("4Gi", resources.Limits["memory"].ToString());
        // Pods are immutable: other resources are a new spec, so the operator replaces the pod.
        Assert.NotEqual(
            NodeManifests.IkePod(Config(), "isthmus-system", Options).Metadata.Annotations[NodeObjectNames.SpecHashAnnotation],
            pod.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation]);
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
        var pod = ds.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.True(container.SecurityContext.Privileged);
        Assert.Equal("512Mi", container.Resources.Limits["hugepages-2Mi"].ToString());
        Assert.Equal("512Mi", container.Resources.Requests["hugepages-2Mi"].ToString());
        Assert.Equal("2", container.Resources.Requests["cpu"].ToString());
        Assert.Equal(
            ["serve", "--socket", "/run/isthmus/dataplane.sock", "--backend", "dpdk",
             "--clear-port", "net_af_packet0", "--cipher-port", "0000:3b:00.0", "--host-port", "net_tap0", "--crypto-device", "crypto_aesni_gcm0",
             "--cipher-next-hop-mac", "02:00:5e:00:01:01",
             "--", "-l", "0,1", "--in-memory", "-a", "0000:3b:00.0",
             "--vdev", "net_af_packet0,iface=eth1", "--vdev", "net_tap0,iface=isthmus0", "--vdev", "crypto_aesni_gcm0"],
            container.Args);
        Assert.Equal("HugePages-2Mi", Assert.Single(pod.Volumes, v => v.Name == "hugepages").EmptyDir.Medium);
        Assert.Contains(container.VolumeMounts, m => m.Name == "hugepages" && m.MountPath == "/dev/hugepages");
        Assert.Equal("/run/isthmus", Assert.Single(pod.Volumes, v => v.Name == "run").HostPath.Path);
        Assert.Equal("true", pod.NodeSelector[Placement.DefaultGatewayLabel]);
        Assert.Equal(ds.Spec.Selector.MatchLabels, ds.Spec.Template.Metadata.Labels);
    }

    [Fact]
    public void Without_hugepages_the_dataplane_runs_no_huge_and_its_dpdk_memory_is_pod_memory()
    {
        var options = Options with { DataplaneHugepageSize = "none", DataplaneDpdkMemory = "1Gi", DataplaneMemory = "256Mi", DataplaneCipherPort = "net_af_packet1,iface=eth0", DataplaneHostPort = null };
        var ds = NodeManifests.DataplaneDaemonSet("isthmus-system", options);
        var container = Assert.Single(ds.Spec.Template.Spec.Containers);

        Assert.Equal(["-l", "0,1", "--no-huge", "-m", "1024", "--no-pci", "--vdev", "net_af_packet0,iface=eth1", "--vdev", "net_af_packet1,iface=eth0", "--vdev", "crypto_aesni_gcm0"],
            container.Args.SkipWhile(a => a != "--").Skip(1));
        Assert.Equal("1280Mi", container.Resources.Limits["memory"].ToString());
        Assert.DoesNotContain(container.Resources.Limits.Keys, k => k.StartsWith("hugepages-", StringComparison.Ordinal));
        Assert.DoesNotContain(ds.Spec.Template.Spec.Volumes, v => v.Name == "hugepages");
    }

    [Fact]
    public void Pci_devices_are_allow_listed_in_full_form_and_named_by_their_address()
    {
        var options = Options with { DataplaneClearPort = "3b:00.1", DataplaneCryptoDevice = "0000:3d:01.0", DataplaneCryptoDeviceName = "0000:3d:01.0_qat_sym", DataplaneHugepageSize = "1Gi", DataplaneDpdkMemory = "2Gi" };
        var args = DataplaneCommand.Arguments(options);

        Assert.Equal("0000:3b:00.1", args[args.ToList().IndexOf("--clear-port") + 1]);
        Assert.Equal("0000:3d:01.0_qat_sym", args[args.ToList().IndexOf("--crypto-device") + 1]);
        Assert.Equal(["-a", "0000:3b:00.1", "-a", "0000:3b:00.0", "-a", "0000:3d:01.0", "--vdev", "net_tap0,iface=isthmus0"], args.SkipWhile(a => a != "--in-memory").Skip(1));
        Assert.DoesNotContain("--no-pci", args);
        Assert.Equal("2Gi", NodeManifests.DataplaneDaemonSet("ns", options).Spec.Template.Spec.Containers[0].Resources.Limits["hugepages-1Gi"].ToString());
    }

    [Fact]
    public void Image_pull_secrets_reach_the_ike_pod_and_the_dataplane()
    {
        var options = Options with { ImagePullSecrets = ["registry"] };

        Assert.Equal("registry", Assert.Single(NodeManifests.IkePod(Config(), "ns", options).Spec.ImagePullSecrets).Name);
        Assert.Equal("registry", Assert.Single(NodeManifests.DataplaneDaemonSet("ns", options).Spec.Template.Spec.ImagePullSecrets).Name);
        Assert.Null(NodeManifests.IkePod(Config(), "ns", Options).Spec.ImagePullSecrets);
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
