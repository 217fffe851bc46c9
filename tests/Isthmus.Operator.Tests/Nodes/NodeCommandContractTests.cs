using Isthmus.Dataplane.Cli;
using Isthmus.Dataplane.Hosting;
using Isthmus.IkeDaemon;
using Isthmus.IkeDaemon.Status;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;

namespace Isthmus.Operator.Tests.Nodes;

/// <summary>
/// The commands of the pods the operator creates, parsed by the programs that run them: isthmus-iked's
/// <see cref="DaemonCommandLine"/> and isthmus-dataplane's <see cref="CommandLine"/> and <see cref="DpdkServeOptions"/>.
/// </summary>
public sealed class NodeCommandContractTests
{
    private const string Mac = "02:00:5e:00:01:01";

    /// <summary>The options of <c>isthmus-operator --dataplane-cipher-next-hop-mac MAC</c>: every other flag at its default.</summary>
    private static OperatorOptions Defaults()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane-cipher-next-hop-mac", Mac], out var options, out var error), error);
        return options;
    }

    internal static Store.NodeConfig Config()
    {
        var tunnel = Fixtures.Tunnel("hq");
        return NodeConfigRenderer.Render("gw-a", "uid-gw-a", [TunnelValidator.Validate(tunnel, Fixtures.Store(tunnel))]);
    }

    /// <summary>Parses a container's args as <c>isthmus-iked</c> does; fails the test when it would refuse them.</summary>
    internal static (DaemonOptions Options, KubernetesStatusOptions Kube) ParseIked(IList<string> args)
    {
        Assert.Equal("run", args[0]);
        try
        {
            return DaemonCommandLine.ParseRun([.. args.Skip(1)]);
        }
        catch (ArgumentException e)
        {
            Assert.Fail($"isthmus-iked refuses {string.Join(' ', args)}: {e.Message}");
            throw;
        }
    }

    /// <summary>Parses a container's args as <c>isthmus-dataplane serve --backend dpdk</c> does, short of starting DPDK.</summary>
    internal static DpdkServeOptions ParseDataplane(IList<string> args)
    {
        var serve = TryParseDataplane(args, out var error);
        Assert.True(serve is not null, $"isthmus-dataplane refuses {string.Join(' ', args)}: {error}");
        return serve;
    }

    private static DpdkServeOptions? TryParseDataplane(IList<string> args, out string error)
    {
        var line = CommandLine.Parse([.. args]);
        Assert.Null(line.Error);
        Assert.Equal("serve", line.Verb);
        Assert.Equal("dpdk", line.Get("backend"));
        // As DataplaneCli's serve: every option but --socket and --backend is a backend setting, and the dpdk
        // backend is registered with DpdkServeOptions.Names, refusing any other.
        var settings = line.Names.Where(n => n is not ("socket" or "backend" or "backend-option")).ToDictionary(n => n, n => line.Get(n)!);
        Assert.Empty(settings.Keys.Except(DpdkServeOptions.Names));
        return DpdkServeOptions.Parse(settings, line.PassThrough, out error);
    }

    [Fact]
    public void The_ike_pod_command_is_accepted_by_isthmus_iked()
    {
        var pod = NodeManifests.IkePod(Config(), "isthmus-system", Defaults());
        var container = Assert.Single(pod.Spec.Containers);
        var (daemon, kube) = ParseIked(container.Args);

        Assert.Equal(["/etc/isthmus/tunnels.yaml"], daemon.ConfigPaths);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == NodeObjectNames.ConfigMountPath);
        Assert.Equal("/run/isthmus/iked.sock", daemon.ControlSocket);
        Assert.True(kube.Enabled);
        Assert.Null(kube.Server ?? kube.Kubeconfig);
        Assert.True(pod.Spec.AutomountServiceAccountToken);
    }

    [Fact]
    public void The_ike_pod_names_its_node_from_the_downward_api()
    {
        var pod = NodeManifests.IkePod(Config(), "isthmus-system", Defaults());
        var container = Assert.Single(pod.Spec.Containers);
        var (_, kube) = ParseIked(container.Args);

        // The kubelet expands $(NODE_NAME) in args from the container's env.
        Assert.Equal("$(NODE_NAME)", kube.NodeName);
        var env = Assert.Single(container.Env, e => e.Name == "NODE_NAME");
        Assert.Equal("spec.nodeName", env.ValueFrom.FieldRef.FieldPath);
    }

    [Fact]
    public void The_ike_pod_installs_sas_into_the_dataplane_socket_on_the_shared_host_path()
    {
        var options = Defaults();
        var pod = NodeManifests.IkePod(Config(), "isthmus-system", options);
        var ds = NodeManifests.DataplaneDaemonSet("isthmus-system", options);
        var (daemon, _) = ParseIked(pod.Spec.Containers[0].Args);
        var line = CommandLine.Parse([.. ds.Spec.Template.Spec.Containers[0].Args]);

        Assert.Equal(line.Get("socket"), daemon.DataplaneSocket);
        var directory = Path.GetDirectoryName(daemon.DataplaneSocket);
        string HostPathAt(IEnumerable<k8s.Models.V1VolumeMount> mounts, IEnumerable<k8s.Models.V1Volume> volumes)
        {
            var mount = Assert.Single(mounts, m => m.MountPath == directory);
            return Assert.Single(volumes, v => v.Name == mount.Name).HostPath.Path;
        }
        Assert.Equal(
            HostPathAt(pod.Spec.Containers[0].VolumeMounts, pod.Spec.Volumes),
            HostPathAt(ds.Spec.Template.Spec.Containers[0].VolumeMounts, ds.Spec.Template.Spec.Volumes));
    }

    [Fact]
    public void Without_the_dataplane_the_ike_pod_installs_nothing()
    {
        var pod = NodeManifests.IkePod(Config(), "isthmus-system", Defaults() with { DataplaneEnabled = false });
        var (daemon, kube) = ParseIked(pod.Spec.Containers[0].Args);

        Assert.Null(daemon.DataplaneSocket);
        Assert.True(kube.Enabled);
    }

    public static TheoryData<string, OperatorOptions> DataplaneVariants() => new()
    {
        { "defaults", Defaults() },
        { "no hugepages", Defaults() with { DataplaneHugepageSize = "none" } },
        { "1Gi hugepages", Defaults() with { DataplaneHugepageSize = "1Gi", DataplaneDpdkMemory = "2Gi" } },
        { "PCI NICs, tap to the host, QAT", Defaults() with { DataplaneClearPort = "3b:00.0", DataplaneCipherPort = "0000:3b:00.1", DataplaneHostPort = "net_tap0,iface=isthmus0", DataplaneCryptoDevice = "0000:3d:01.0", DataplaneCryptoDeviceName = "0000:3d:01.0_qat_sym" } },
        { "clear next hop and more lcores", Defaults() with { DataplaneClearNextHopMac = "02:00:00:00:00:09", DataplaneLcores = "2-5" } },
    };

    [Theory]
    [MemberData(nameof(DataplaneVariants))]
    public void The_dataplane_command_is_accepted_by_isthmus_dataplane(string variant, OperatorOptions options)
    {
        var ds = NodeManifests.DataplaneDaemonSet("isthmus-system", options);
        var container = Assert.Single(ds.Spec.Template.Spec.Containers);
        var serve = ParseDataplane(container.Args);

        Assert.Equal(Mac, DpdkServeOptions.FormatMac(serve.CipherNextHopMac));
        Assert.Contains("-l", serve.EalArguments);
        Assert.Equal(options.DataplaneLcores, serve.EalArguments[serve.EalArguments.ToList().IndexOf("-l") + 1]);
        Assert.True(serve.EalArguments.Contains("--in-memory") != serve.EalArguments.Contains("--no-huge"), variant);
        Assert.Equal(options.DataplaneHugepageSize == "none", serve.EalArguments.Contains("--no-huge"));
    }

    [Theory]
    [MemberData(nameof(DataplaneVariants))]
    public void Every_device_the_dataplane_opens_is_declared_to_eal(string variant, OperatorOptions options)
    {
        var serve = ParseDataplane(NodeManifests.DataplaneDaemonSet("isthmus-system", options).Spec.Template.Spec.Containers[0].Args);
        var eal = serve.EalArguments.ToList();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < eal.Count; i++)
        {
            if (eal[i] is "--vdev" or "-a")
            {
                declared.Add(eal[i + 1].Split(',')[0]);
            }
        }

        foreach (var port in new[] { serve.ClearPort, serve.CipherPort, serve.HostPort }.OfType<string>())
        {
            Assert.True(declared.Contains(port), $"{variant}: port {port} is not among the EAL devices {string.Join(' ', declared)}");
        }
        var cryptoDevice = options.DataplaneCryptoDeviceName is null ? serve.CryptoDevice : DataplaneCommand.EthdevName(options.DataplaneCryptoDevice);
        Assert.Contains(cryptoDevice, declared);
        Assert.Equal(eal.Contains("-a"), !eal.Contains("--no-pci"));
    }

    [Theory]
    [InlineData("--config", "/etc/isthmus/tunnels.yaml", "--bogus")]
    [InlineData("--config", "/etc/isthmus/tunnels.yaml", "--ike-port", "five hundred")]
    [InlineData("--config", "/etc/isthmus/tunnels.yaml", "--server", "https://10.0.0.1:6443")]
    [InlineData("--kube-status", "--node-name", "gw-a")]
    public void Isthmus_iked_refuses_commands_it_cannot_run_with_a_typed_error(params string[] args)
    {
        Assert.Throws<ArgumentException>(() => DaemonCommandLine.ParseRun(args));
    }

    [Fact]
    public void Options_without_a_cipher_next_hop_give_a_dataplane_that_refuses_to_start_and_says_why()
    {
        var ds = NodeManifests.DataplaneDaemonSet("isthmus-system", new OperatorOptions());

        Assert.Null(TryParseDataplane(ds.Spec.Template.Spec.Containers[0].Args, out var error));
        Assert.Contains("--cipher-next-hop-mac", error);
    }
}
