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
    /// The IKE daemon pod of a node: pinned to the node, host network (IKE on UDP 500 and 4500 of the node's
    /// addresses), only NET_ADMIN, NET_BIND_SERVICE and NET_RAW, read-only root file system, the node's config
    /// Secret mounted read-only. Its spec-hash annotation covers the config hash, so a new config replaces the pod.
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
                        Args = ["run", "--config", $"{NodeObjectNames.ConfigMountPath}/{NodeObjectNames.ConfigKey}", "--control", $"{NodeObjectNames.RuntimeDirectory}/iked.sock"],
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
                        Resources = new V1ResourceRequirements
                        {
                            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("50m"), ["memory"] = new("64Mi") },
                            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
                        },
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
    /// The ESP dataplane DaemonSet: on the gateway nodes, privileged (it binds NICs and maps hugepages),
    /// host network, hugepages and memory as configured, the DPDK ports and crypto device as arguments, and
    /// the node's Isthmus runtime directory shared with the IKE pod (the SA socket).
    /// </summary>
    public static V1DaemonSet DataplaneDaemonSet(string @namespace, OperatorOptions options)
    {
        var labels = new Dictionary<string, string>
        {
            [NodeObjectNames.NameLabel] = "isthmus-dataplane",
            [NodeObjectNames.ComponentLabel] = "dataplane",
            [NodeObjectNames.ManagedByLabel] = NodeObjectNames.ManagedBy,
        };
        var args = new List<string> { "--crypto-device", options.DataplaneCryptoDevice, "--socket", $"{NodeObjectNames.RuntimeDirectory}/dataplane.sock" };
        foreach (var port in options.DataplanePorts)
        {
            args.Add("--port");
            args.Add(port);
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
                        AutomountServiceAccountToken = false,
                        PriorityClassName = "system-node-critical",
                        Tolerations = [new V1Toleration { OperatorProperty = "Exists", Effect = "NoSchedule" }],
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "dataplane",
                                Image = options.DataplaneImage,
                                Args = args,
                                SecurityContext = new V1SecurityContext { Privileged = true },
                                Resources = new V1ResourceRequirements
                                {
                                    Requests = new Dictionary<string, ResourceQuantity>
                                    {
                                        ["cpu"] = new("1"),
                                        ["memory"] = new(options.DataplaneMemory),
                                        ["hugepages-2Mi"] = new(options.DataplaneHugepages),
                                    },
                                    Limits = new Dictionary<string, ResourceQuantity>
                                    {
                                        ["memory"] = new(options.DataplaneMemory),
                                        ["hugepages-2Mi"] = new(options.DataplaneHugepages),
                                    },
                                },
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "hugepages", MountPath = "/dev/hugepages" },
                                    new V1VolumeMount { Name = "run", MountPath = NodeObjectNames.RuntimeDirectory },
                                    new V1VolumeMount { Name = "dev", MountPath = "/dev" },
                                ],
                            },
                        ],
                        Volumes =
                        [
                            new V1Volume { Name = "hugepages", EmptyDir = new V1EmptyDirVolumeSource { Medium = "HugePages-2Mi" } },
                            new V1Volume { Name = "run", HostPath = new V1HostPathVolumeSource { Path = NodeObjectNames.RuntimeDirectory, Type = "DirectoryOrCreate" } },
                            new V1Volume { Name = "dev", HostPath = new V1HostPathVolumeSource { Path = "/dev" } },
                        ],
                    },
                },
            },
        };
        ds.Metadata.Annotations[NodeObjectNames.SpecHashAnnotation] = Hash(ds.Spec);
        return ds;
    }

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
