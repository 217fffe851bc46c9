namespace Isthmus.KubeApiDouble;

/// <summary>The resources the double serves by default.</summary>
public static class ApiResources
{
    /// <summary>core/v1 namespaces (cluster-scoped).</summary>
    public static ApiResource Namespaces { get; } =
        new("", "v1", "namespaces", "namespace", "Namespace", false, true, false, false, false)
        {
            ShortNames = ["ns"],
            SelectableFields = ["status.phase"],
        };

    /// <summary>core/v1 nodes (cluster-scoped, status subresource).</summary>
    public static ApiResource Nodes { get; } =
        new("", "v1", "nodes", "node", "Node", false, true, false, false, false)
        {
            ShortNames = ["no"],
            SelectableFields = ["spec.unschedulable"],
        };

    /// <summary>core/v1 secrets.</summary>
    public static ApiResource Secrets { get; } =
        new("", "v1", "secrets", "secret", "Secret", true, false, false, false, false)
        {
            SelectableFields = ["type"],
        };

    /// <summary>core/v1 pods (status subresource; DELETE returns the pod; deleted at once, as with grace period 0).</summary>
    public static ApiResource Pods { get; } =
        new("", "v1", "pods", "pod", "Pod", true, true, false, false, true)
        {
            ShortNames = ["po"],
            SelectableFields =
            [
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "status.phase", "status.podIP", "status.nominatedNodeName",
            ],
        };

    /// <summary>core/v1 events.</summary>
    public static ApiResource CoreEvents { get; } =
        new("", "v1", "events", "event", "Event", true, false, false, false, false)
        {
            ShortNames = ["ev"],
            SelectableFields =
            [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ],
        };

    /// <summary>apps/v1 daemonsets (status subresource, generation).</summary>
    public static ApiResource DaemonSets { get; } =
        new("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, true, true, false, false)
        {
            ShortNames = ["ds"],
        };

    /// <summary>coordination.k8s.io/v1 leases.</summary>
    public static ApiResource Leases { get; } =
        new("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, false, false, false, false);

    /// <summary>events.k8s.io/v1 events.</summary>
    public static ApiResource Events { get; } =
        new("events.k8s.io", "v1", "events", "event", "Event", true, false, false, false, false)
        {
            ShortNames = ["ev"],
            SelectableFields =
            [
                "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
                "reason", "reportingController", "type",
            ],
        };

    /// <summary>
    /// apiextensions.k8s.io/v1 customresourcedefinitions (cluster-scoped, status subresource): creating one validates it
    /// as the API server does and serves the resource it defines; deleting it stops serving the resource and deletes
    /// its objects.
    /// </summary>
    public static ApiResource CustomResourceDefinitions { get; } =
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false, true, true, false, true)
        {
            ShortNames = ["crd", "crds"],
            PrinterColumns = [new("Created At", "string", ".metadata.creationTimestamp") { Description = "Time the CustomResourceDefinition was created." }],
        };

    /// <summary>
    /// ipsec.isthmus.dev/v1alpha1 ipsectunnels (custom resource, status subresource), a stand-in without a schema: writes
    /// are not validated. Serve the generated CRD instead (through the API or with
    /// <see cref="KubeApiDouble.CustomResourceDefinitions.ToApiResource"/>) to have them validated as the API server does.
    /// </summary>
    public static ApiResource IpsecTunnels { get; } =
        new("ipsec.isthmus.dev", "v1alpha1", "ipsectunnels", "ipsectunnel", "IpsecTunnel", true, true, true, true, true)
        {
            ShortNames = ["ipt"],
            PrinterColumns =
            [
                new("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status"),
                new("Peer", "string", ".spec.peer.address"),
                new("Node", "string", ".status.activeNode"),
                new("IKE", "string", ".status.conditions[?(@.type==\"IkeSaEstablished\")].status"),
                new("Rekeys", "integer", ".status.rekeyCount"),
            ],
        };

    /// <summary>ipsec.isthmus.dev/v1alpha1 trafficselectors (custom resource, status subresource), a stand-in without a schema.</summary>
    public static ApiResource TrafficSelectors { get; } =
        new("ipsec.isthmus.dev", "v1alpha1", "trafficselectors", "trafficselector", "TrafficSelector", true, true, true, true, true)
        {
            ShortNames = ["ts"],
        };

    /// <summary>core/v1 serviceaccounts.</summary>
    public static ApiResource ServiceAccounts { get; } =
        new("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, false, false, false, false) { ShortNames = ["sa"] };

    /// <summary>core/v1 services.</summary>
    public static ApiResource Services { get; } =
        new("", "v1", "services", "service", "Service", true, true, false, false, false) { ShortNames = ["svc"] };

    /// <summary>rbac.authorization.k8s.io/v1 roles.</summary>
    public static ApiResource Roles { get; } =
        new("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, false, false, false, false);

    /// <summary>rbac.authorization.k8s.io/v1 rolebindings.</summary>
    public static ApiResource RoleBindings { get; } =
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, false, false, false, false);

    /// <summary>rbac.authorization.k8s.io/v1 clusterroles.</summary>
    public static ApiResource ClusterRoles { get; } =
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, false, false, false, false);

    /// <summary>rbac.authorization.k8s.io/v1 clusterrolebindings.</summary>
    public static ApiResource ClusterRoleBindings { get; } =
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, false, false, false, false);

    /// <summary>admissionregistration.k8s.io/v1 validatingwebhookconfigurations.</summary>
    public static ApiResource ValidatingWebhookConfigurations { get; } =
        new("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", false, false, true, false, false);

    /// <summary>Every resource above.</summary>
    public static IReadOnlyList<ApiResource> All { get; } =
    [
        Namespaces, Nodes, Secrets, Pods, CoreEvents, DaemonSets, Leases, Events, CustomResourceDefinitions, IpsecTunnels, TrafficSelectors,
        ServiceAccounts, Services, Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, ValidatingWebhookConfigurations,
    ];
}
