namespace Isthmus.Operator;

/// <summary>
/// Settings of the operator process (command-line flags of <c>isthmus-operator</c>, see <see cref="OperatorCommandLine"/>).
/// </summary>
public sealed record OperatorOptions
{
    /// <summary>API server URL (<c>--server</c>); overrides the kubeconfig's server. Used by tests against a local API double.</summary>
    public string? Server { get; init; }

    /// <summary>Path of a kubeconfig file (<c>--kubeconfig</c>). Neither this nor Server: in-cluster config, else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Context within the kubeconfig (<c>--context</c>).</summary>
    public string? Context { get; init; }

    /// <summary>Bearer token for <see cref="Server"/> (<c>--token</c>).</summary>
    public string? Token { get; init; }

    /// <summary>Skip TLS verification of the API server (<c>--insecure-skip-tls-verify</c>); for test doubles only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>Namespace of the operator's own objects: Lease, node config Secrets, IKE pods, dataplane DaemonSet (<c>--namespace</c>).</summary>
    public string Namespace { get; init; } = "isthmus-system";

    /// <summary>Parallel reconciles (<c>--workers</c>).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>Every cached object is reconciled again this often (<c>--resync</c>).</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Leader election over a Lease (<c>--leader-elect</c>, default true).</summary>
    public bool LeaderElection { get; init; } = true;

    /// <summary>Name of the Lease (<c>--lease-name</c>).</summary>
    public string LeaseName { get; init; } = "isthmus-operator";

    /// <summary>This replica's identity in the Lease (<c>--identity</c>; default the host name and process id).</summary>
    public string Identity { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Label that marks gateway nodes for tunnels without a nodeSelector (<c>--gateway-label</c>; value must be "true").</summary>
    public string GatewayLabel { get; init; } = Nodes.Placement.DefaultGatewayLabel;

    /// <summary>Image of the per-node IKE daemon pod (<c>--ike-image</c>).</summary>
    public string IkeImage { get; init; } = "isthmus/isthmus-iked:latest";

    /// <summary>Service account of the IKE pods (<c>--ike-service-account</c>).</summary>
    public string IkeServiceAccount { get; init; } = "isthmus-iked";

    /// <summary>Whether the operator manages the dataplane DaemonSet (<c>--dataplane</c>, default true).</summary>
    public bool DataplaneEnabled { get; init; } = true;

    /// <summary>Image of the ESP dataplane (<c>--dataplane-image</c>).</summary>
    public string DataplaneImage { get; init; } = "isthmus/isthmus-dataplane:latest";

    /// <summary>Service account of the dataplane pods (<c>--dataplane-service-account</c>).</summary>
    public string DataplaneServiceAccount { get; init; } = "isthmus-dataplane";

    /// <summary>2 MiB hugepages per dataplane pod, as a Kubernetes quantity (<c>--dataplane-hugepages</c>).</summary>
    public string DataplaneHugepages { get; init; } = "512Mi";

    /// <summary>Memory per dataplane pod besides hugepages (<c>--dataplane-memory</c>).</summary>
    public string DataplaneMemory { get; init; } = "512Mi";

    /// <summary>DPDK ports: PCI addresses or vdev strings (<c>--dataplane-port</c>, repeatable).</summary>
    public IReadOnlyList<string> DataplanePorts { get; init; } = [];

    /// <summary>DPDK crypto device, e.g. crypto_aesni_gcm (<c>--dataplane-crypto-device</c>).</summary>
    public string DataplaneCryptoDevice { get; init; } = "crypto_aesni_gcm";

    /// <summary>OTLP endpoint for metrics and traces (<c>--otlp-endpoint</c>); none: no OTLP export.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Port of the Prometheus scrape endpoint <c>/metrics</c> (<c>--metrics-port</c>); 0 disables it.</summary>
    public int MetricsPort { get; init; } = 9090;

    /// <summary>Host the Prometheus endpoint listens on (<c>--metrics-host</c>): <c>*</c> for every address, <c>localhost</c> for loopback only.</summary>
    public string MetricsHost { get; init; } = "*";

    /// <summary>Log as JSON lines (<c>--log-format json</c>, default) or plain text (<c>--log-format text</c>).</summary>
    public bool JsonLogs { get; init; } = true;

    /// <summary>Minimum log level (<c>--log-level</c>).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;
}
