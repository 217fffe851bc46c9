using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Isthmus.Operator.Store;
using k8s;
using k8s.Models;

namespace Isthmus.Operator.Nodes;

/// <summary>
/// The Kubernetes objects that run Isthmus on the gateway nodes: per node a config Secret and an IKE pod,
/// and one dataplane DaemonSet. The per-node objects are owned by their Node (garbage-collected with it).
/// </summary>
public static class NodeManifests
{
    /// <summary>The Secret holding <paramref name="config"/>'s manifests under <c>tunnels.yaml</c>.</summary>
    public static V1Secret ConfigSecret(NodeConfig config, string @namespace) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = new V1ObjectMeta
        {
            Name = NodeObjectNames.ConfigSecret(config.NodeName),
            NamespaceProperty = @namespace,
            Labels = Labels("isthmus-iked", "ike-config", config.NodeName),
            Annotations = new Dictionary<string, string>
            {
                [NodeObjectNames.ConfigHashAnnotation] = config.Hash,
                [NodeObjectNames.NodeAnnotation] = config.NodeName,
            },
            OwnerReferences = NodeOwner(config),
        },
        Type = "Opaque",
        Data = new Dictionary<string, byte[]> { [NodeObjectNames.ConfigKey] = config.Manifests },
    };

    /// <summary>
    /// The IKE daemon's arguments: its node's config, its control socket, status and Events on the tunnels as this
    /// node (<c>$(NODE_NAME)</c>, expanded by the kubelet from the downward API's <c>spec.nodeName</c>), and, while the
    /// operator runs the dataplane, that dataplane's control socket for the negotiated SAs.
    /// </summary>
    public static IReadOnlyList<string> IkeArguments(OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> args =
        [
            "run",
            "--config", $"{NodeObjectNames.ConfigMountPath}/{NodeObjectNames.ConfigKey}",
            "--control", $"{NodeObjectNames.RuntimeDirectory}/iked.sock",
            "--kube-status", "--node-name", "$(NODE_NAME)",
        ];
        if (options.DataplaneEnabled)
        {
            args.AddRange(["--dataplane", DataplaneCommand.Socket]);
        }
        return args;
    }

    /// <summary>
    /// The IKE daemon pod of a node: pinned to the node, host network (IKE on UDP 500 and 4500 of the node's
    /// addresses), only NET_ADMIN, NET_BIND_SERVICE and NET_RAW, read-only root file system, the node's config
    /// Secret mounted read-only, CPU and memory from <see cref="IkeResources"/>. Its spec-hash annotation covers the config hash, so a new config replaces the pod.
    /// </summary>
    public static V1Pod IkePod(NodeConfig config, string @namespace, OperatorOptions options)
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = NodeObjectNames.IkePod(config.NodeName),
                NamespaceProperty = @namespace,
                Labels = Labels("isthmus-iked", "ike", config.NodeName),
                Annotations = new Dictionary<string, string>
                {
                    [NodeObjectNames.ConfigHashAnnotation] = config.Hash,
                    [NodeObjectNames.NodeAnnotation] = config.NodeName,
                },
                OwnerReferences = NodeOwner(config),
            },
            Spec = new V1PodSpec
            {
                NodeName = config.NodeName,
                HostNetwork = true,
                DnsPolicy = "ClusterFirstWithHostNet",
                RestartPolicy = "Always",
                ServiceAccountName = options.IkeServiceAccount,
                ImagePullSecrets = PullSecrets(options),
                AutomountServiceAccountToken = true,
                TerminationGracePeriodSeconds = 10,
                PriorityClassName = "system-node-critical",
                Tolerations = [new V1Toleration { OperatorProperty = "Exists", Effect = "NoSchedule" }],
                Containers =
                [
                    new V1Container
                    {
                        Name = "iked",
                        Image = options.IkeImage,
                        Args = [.. IkeArguments(options)],
                        Ports =
                        [
                            new V1ContainerPort { Name = "ike", ContainerPort = 500, HostPort = 500, Protocol = "UDP" },
                            new V1ContainerPort { Name = "ike-natt", ContainerPort = 4500, HostPort = 4500, Protocol = "UDP" },
                        ],
                        Env =
                        [
                            new V1EnvVar { Name = "NODE_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "spec.nodeName" } } },
                            new V1EnvVar { Name = "POD_NAMESPACE", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.namespace" } } },
                        ],
                        SecurityContext = new V1SecurityContext
                        {
                            Privileged = false,
                            AllowPrivilegeEscalation = false,
                            ReadOnlyRootFilesystem = true,
                            Capabilities = new V1Capabilities
                            {
                                Drop = ["ALL"],
                                Add = ["NET_ADMIN", "NET_BIND_SERVICE", "NET_RAW"],
                            },
                        },
                        Resources = IkeResources(options),
                        VolumeMounts =
                        [
                            new V1VolumeMount { Name = "config", MountPath = NodeObjectNames.ConfigMountPath, ReadOnlyProperty = true },
                            new V1VolumeMount { Name = "run", MountPath = NodeObjectNames.RuntimeDirectory },
                        ],
                    },
                ],
                Volumes =
                [
                    new V1Volume { Name = "config", Secret = new V1SecretVolumeSource { SecretName = NodeObjectNames.ConfigSecret(config.NodeName), DefaultMode = 0x100 /* 0400 */ } },
                    new V1Volume { Name = "run", HostPath = new V1HostPathVolumeSource { Path = NodeObjectNames.RuntimeDirectory, Type = "DirectoryOrCreate" } },
                ],
            },
        };
        pod.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation] = Hash(pod.Spec);
        return pod;
    }

    /// <summary>
    /// The ESP dataplane DaemonSet: on the gateway nodes, privileged (it binds NICs and maps hugepages), host
    /// network, <c>isthmus-dataplane serve --backend dpdk</c> with the ports, crypto device and EAL arguments of
    /// <see cref="DataplaneCommand"/>, one CPU per EAL lcore, hugepages (requested and limited, with a hugetlbfs
    /// volume) or, with hugepage size <c>none</c>, DPDK's memory added to the pod's memory, the host's <c>/dev</c>
    /// (vfio), and the node's Isthmus runtime directory shared with the IKE pod (the dataplane's control socket).
    /// </summary>
    public static V1DaemonSet DataplaneDaemonSet(string @namespace, OperatorOptions options)
    {
        var labels = new Dictionary<string, string>
        {
            [NodeObjectNames.NameLabel] = "isthmus-dataplane",
            [NodeObjectNames.ComponentLabel] = "dataplane",
            [NodeObjectNames.ManagedByLabel] = NodeObjectNames.ManagedBy,
        };
        var hugepages = DataplaneCommand.UsesHugepages(options);
        var cpu = new ResourceQuantity(DataplaneCommand.LcoreCount(options.DataplaneLcores).ToString(CultureInfo.InvariantCulture));
        // Without hugepages DPDK's memory is ordinary memory of the pod.
        var memory = new ResourceQuantity(hugepages
            ? options.DataplaneMemory
            : $"{DataplaneCommand.MiB(options.DataplaneMemory) + DataplaneCommand.MiB(options.DataplaneDpdkMemory)}Mi");
        var requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = cpu, ["memory"] = memory };
        var limits = new Dictionary<string, ResourceQuantity> { ["memory"] = memory };
        List<V1VolumeMount> mounts =
        [
            new V1VolumeMount { Name = "run", MountPath = NodeObjectNames.RuntimeDirectory },
            new V1VolumeMount { Name = "dev", MountPath = "/dev" },
        ];
        List<V1Volume> volumes =
        [
            new V1Volume { Name = "run", HostPath = new V1HostPathVolumeSource { Path = NodeObjectNames.RuntimeDirectory, Type = "DirectoryOrCreate" } },
            new V1Volume { Name = "dev", HostPath = new V1HostPathVolumeSource { Path = "/dev" } },
        ];
        if (hugepages)
        {
            // Kubernetes requires hugepage requests equal to limits; the hugetlbfs volume is where EAL finds the pages.
            var resource = $"hugepages-{options.DataplaneHugepageSize}";
            requests[resource] = new ResourceQuantity(options.DataplaneDpdkMemory);
            limits[resource] = new ResourceQuantity(options.DataplaneDpdkMemory);
            mounts.Insert(0, new V1VolumeMount { Name = "hugepages", MountPath = DataplaneCommand.HugepagesMountPath });
            volumes.Insert(0, new V1Volume { Name = "hugepages", EmptyDir = new V1EmptyDirVolumeSource { Medium = $"HugePages-{options.DataplaneHugepageSize}" } });
        }
        var ds = new V1DaemonSet
        {
            ApiVersion = "apps/v1",
            Kind = "DaemonSet",
            Metadata = new V1ObjectMeta
            {
                Name = NodeObjectNames.DataplaneName,
                NamespaceProperty = @namespace,
                Labels = new Dictionary<string, string>(labels),
                Annotations = new Dictionary<string, string>(),
            },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
                UpdateStrategy = new V1DaemonSetUpdateStrategy { Type = "RollingUpdate" },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels) },
                    Spec = new V1PodSpec
                    {
                        NodeSelector = new Dictionary<string, string> { [options.GatewayLabel] = "true" },
                        HostNetwork = true,
                        DnsPolicy = "ClusterFirstWithHostNet",
                        ServiceAccountName = options.DataplaneServiceAccount,
                        ImagePullSecrets = PullSecrets(options),
                        AutomountServiceAccountToken = false,
                        PriorityClassName = "system-node-critical",
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists", Effect = "NoSchedule" }],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "dataplane",
                                Image = options.DataplaneImage,
                                Args = [.. DataplaneCommand.Arguments(options)],
                                SecurityContext = new V1SecurityContext { Privileged = true },
                                Resources = new V1ResourceRequirements { Requests = requests, Limits = limits },
                                VolumeMounts = mounts,
                            },
                        ],
                        Volumes = volumes,
                    },
                },
            },
        };
        ds.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation] = Hash(ds.Spec);
        return ds;
    }

    /// <summary>
    /// The IKE container's CPU and memory from <c>--ike-cpu-request</c>, <c>--ike-memory-request</c>,
    /// <c>--ike-memory-limit</c> and, when given, <c>--ike-cpu-limit</c>. Without a CPU limit the daemon may use idle
    /// CPU for a burst of IKE set-ups (after a failover every tunnel of the node negotiates at once).
    /// </summary>
    public static V1ResourceRequirements IkeResources(OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new(options.IkeMemoryLimit) };
        if (options.IkeCpuLimit is { } cpuLimit)
        {
            limits["cpu"] = new ResourceQuantity(cpuLimit);
        }
        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(options.IkeCpuRequest), ["memory"] = new(options.IkeMemoryRequest) },
            Limits = limits,
        };
    }

    private static List<V1LocalObjectReference>? PullSecrets(OperatorOptions options) =>
        options.ImagePullSecrets.Count == 0 ? null : [.. options.ImagePullSecrets.Select(name => new V1LocalObjectReference { Name = name })];

    private static Dictionary<string, string> Labels(string name, string component, string node) => new()
    {
        [NodeObjectNames.NameLabel] = name,
        [NodeObjectNames.ComponentLabel] = component,
        [NodeObjectNames.ManagedByLabel] = NodeObjectNames.ManagedBy,
        [NodeObjectNames.NodeLabel] = NodeObjectNames.NodeLabelValue(node),
    };

    private static List<V1OwnerReference>? NodeOwner(NodeConfig config) =>
        config.NodeUid is null
            ? null
            : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = config.NodeName, Uid = config.NodeUid, BlockOwnerDeletion = false, Controller = false }];

    private static string Hash(object spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KubernetesJson.Serialize(spec))))[..16];
}
