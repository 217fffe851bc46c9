using Isthmus.Operator.Runtime.Client;

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

    /// <summary>Bearer token for <see cref="Server"/> (<c>--token</c>); never shown by <see cref="ToString"/>.</summary>
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

    /// <summary>
    /// A standby takes over this long after the leader's last renewal it saw (<c>--lease-duration</c>). With the
    /// defaults (10 s, renew deadline 8 s, retry 2 s) a crashed leader is replaced within about 12 s, and an API
    /// server that is unreachable for up to 8 s changes nothing; a longer outage makes the leader stop reconciling
    /// and campaign again, and whichever replica reaches the API server first after it returns leads.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the leader keeps leading while it cannot renew the Lease (<c>--renew-deadline</c>).</summary>
    public TimeSpan RenewDeadline { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>How often the Lease is renewed or checked (<c>--retry-period</c>).</summary>
    public TimeSpan RetryPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Label that marks gateway nodes for tunnels without a nodeSelector (<c>--gateway-label</c>; value must be "true").</summary>
    public string GatewayLabel { get; init; } = Nodes.Placement.DefaultGatewayLabel;

    /// <summary>Image of the per-node IKE daemon pod (<c>--ike-image</c>).</summary>
    public string IkeImage { get; init; } = "isthmus/isthmus-iked:latest";

    /// <summary>Service account of the IKE pods (<c>--ike-service-account</c>).</summary>
    public string IkeServiceAccount { get; init; } = "isthmus-iked";

    /// <summary>
    /// CPU the IKE pod requests (<c>--ike-cpu-request</c>), a Kubernetes quantity. The default, 100m, covers about
    /// 1,000 established SAs: after set-up the daemon only rekeys, answers liveness checks and writes status.
    /// </summary>
    public string IkeCpuRequest { get; init; } = "100m";

    /// <summary>CPU limit of the IKE pod (<c>--ike-cpu-limit</c>); null (the default): none, so a burst of IKE set-ups after a failover may use idle CPU.</summary>
    public string? IkeCpuLimit { get; init; }

    /// <summary>Memory the IKE pod requests (<c>--ike-memory-request</c>), a Kubernetes quantity (256Mi).</summary>
    public string IkeMemoryRequest { get; init; } = "256Mi";

    /// <summary>Memory limit of the IKE pod (<c>--ike-memory-limit</c>), at least the request (1Gi).</summary>
    public string IkeMemoryLimit { get; init; } = "1Gi";

    /// <summary>Secrets for pulling the node component images, set on the IKE pods and the dataplane DaemonSet (<c>--image-pull-secret</c>, repeatable).</summary>
    public IReadOnlyList<string> ImagePullSecrets { get; init; } = [];

    /// <summary>Whether the operator manages the dataplane DaemonSet (<c>--dataplane</c>, default true); the IKE pods install SAs into it.</summary>
    public bool DataplaneEnabled { get; init; } = true;

    /// <summary>Image of the ESP dataplane (<c>--dataplane-image</c>).</summary>
    public string DataplaneImage { get; init; } = "isthmus/isthmus-dataplane:latest";

    /// <summary>Service account of the dataplane pods (<c>--dataplane-service-account</c>).</summary>
    public string DataplaneServiceAccount { get; init; } = "isthmus-dataplane";

    /// <summary>
    /// The clear (LAN) port as an EAL device: a PCI address bound to vfio-pci (<c>0000:3b:00.0</c>, devargs after a
    /// comma) or a virtual device (<c>net_af_packet0,iface=eth1</c>) (<c>--dataplane-clear-port</c>).
    /// </summary>
    public string DataplaneClearPort { get; init; } = "net_af_packet0,iface=eth1";

    /// <summary>The cipher (WAN) port as an EAL device, like <see cref="DataplaneClearPort"/> (<c>--dataplane-cipher-port</c>).</summary>
    public string DataplaneCipherPort { get; init; } = "net_af_packet1,iface=eth0";

    /// <summary>Optional port toward the node's kernel (a <c>net_tap</c>) for IKE and ARP when the cipher port is a NIC taken from the kernel (<c>--dataplane-host-port</c>).</summary>
    public string? DataplaneHostPort { get; init; }

    /// <summary>The DPDK crypto device as an EAL device: a virtual one (<c>crypto_aesni_gcm0</c>) or a PCI address (<c>--dataplane-crypto-device</c>).</summary>
    public string DataplaneCryptoDevice { get; init; } = "crypto_aesni_gcm0";

    /// <summary>
    /// The cryptodev name when it differs from the device (<c>--dataplane-crypto-device-name</c>): hardware drivers name
    /// theirs after the PCI address and the driver, e.g. <c>0000:3d:01.0_qat_sym</c>. Null: the device's own name.
    /// </summary>
    public string? DataplaneCryptoDeviceName { get; init; }

    /// <summary>
    /// Destination MAC of ESP frames leaving the cipher port: the WAN router (or the peer gateway on a shared segment)
    /// of the gateway nodes (<c>--dataplane-cipher-next-hop-mac</c>). The command line requires it while
    /// <see cref="DataplaneEnabled"/>; left null here, the dataplane pods refuse to start and say so.
    /// </summary>
    public string? DataplaneCipherNextHopMac { get; init; }

    /// <summary>Destination MAC of decrypted frames leaving the clear port (<c>--dataplane-clear-next-hop-mac</c>); null: the clear port's own (right for net_tap).</summary>
    public string? DataplaneClearNextHopMac { get; init; }

    /// <summary>EAL lcores (<c>-l</c>) of the dataplane (<c>--dataplane-lcores</c>): the main lcore and the poll loop's worker; also its CPU request.</summary>
    public string DataplaneLcores { get; init; } = "0,1";

    /// <summary>Hugepage size backing DPDK's memory (<c>--dataplane-hugepage-size</c>): <c>2Mi</c>, <c>1Gi</c>, or <c>none</c> (EAL <c>--no-huge</c>, ordinary memory; for test clusters).</summary>
    public string DataplaneHugepageSize { get; init; } = "2Mi";

    /// <summary>DPDK's memory (mbufs, crypto sessions), as a Kubernetes quantity (<c>--dataplane-dpdk-memory</c>): hugepages requested and limited, or EAL <c>-m</c> with <c>none</c>.</summary>
    public string DataplaneDpdkMemory { get; init; } = "512Mi";

    /// <summary>Memory of the dataplane process besides DPDK's (the .NET runtime and the control API), as a Kubernetes quantity (<c>--dataplane-memory</c>).</summary>
    public string DataplaneMemory { get; init; } = "256Mi";

    /// <summary>
    /// Port of the validating admission webhook's HTTPS server (<c>--webhook-port</c>); 0 (the default): no webhook.
    /// The webhook (<see cref="Admission.AdmissionWebhook"/>) serves <c>/validate/ipsectunnels</c> and
    /// <c>/validate/trafficselectors</c> on every replica, leader or not.
    /// </summary>
    public int WebhookPort { get; init; }

    /// <summary>
    /// Name of the Service in front of the webhook (<c>--webhook-service</c>), in <see cref="Namespace"/>. Used by the
    /// admission webhook: the operator makes its serving certificate for <c>SVC</c>, <c>SVC.NS</c>, <c>SVC.NS.svc</c>
    /// and <c>SVC.NS.svc.cluster.local</c>. Required with a webhook port unless <see cref="WebhookCertDirectory"/> is set.
    /// </summary>
    public string? WebhookService { get; init; }

    /// <summary>
    /// Name of the ValidatingWebhookConfiguration whose <c>caBundle</c> the operator keeps current
    /// (<c>--webhook-configuration</c>). Used by the admission webhook; absent when cert-manager injects the CA
    /// (with <see cref="WebhookCertDirectory"/>).
    /// </summary>
    public string? WebhookConfiguration { get; init; }

    /// <summary>
    /// Secret in <see cref="Namespace"/> where the operator keeps the webhook's CA and serving certificate
    /// (<c>--webhook-cert-secret</c>), shared by the replicas. Used by the admission webhook; absent with
    /// <see cref="WebhookCertDirectory"/>.
    /// </summary>
    public string? WebhookCertSecret { get; init; }

    /// <summary>
    /// Directory holding <c>tls.crt</c> and <c>tls.key</c> written by cert-manager (<c>--webhook-cert-dir</c>, a mounted
    /// Secret). Used by the admission webhook: with it the operator serves that certificate and manages no CA, no
    /// Secret and no caBundle.
    /// </summary>
    public string? WebhookCertDirectory { get; init; }

    /// <summary>
    /// Site crypto policy (<c>--forbid-weak-crypto</c>): refuse tunnels whose proposals use the weak algorithms of
    /// <c>WeakAlgorithms</c> (3DES, Blowfish, NULL, SHA-1, MODP below 2048) instead of accepting them with a
    /// WeakCryptography warning. Applied by the admission webhook and by the Accepted condition.
    /// </summary>
    public bool ForbidWeakCrypto { get; init; }

    /// <summary>
    /// Site crypto policy (<c>--forbid-algorithm</c>, repeatable): strongSwan proposal keywords (<c>modp2048</c>,
    /// <c>aes128</c>) a tunnel may not use. Applied by the admission webhook and by the Accepted condition.
    /// </summary>
    public IReadOnlyList<string> ForbiddenAlgorithms { get; init; } = [];

    /// <summary>
    /// Label selector of the Secrets the operator caches with a watch (<c>--secret-label-selector</c>,
    /// <c>isthmus.dev/tunnel-secret=true</c>): a labelled PSK or certificate Secret reaches its tunnels as soon as
    /// it changes. For the label-scoped Secret cache; parsed and validated here, while the Secret informer still
    /// caches every Secret.
    /// </summary>
    public string SecretLabelSelector { get; init; } = "isthmus.dev/tunnel-secret=true";

    /// <summary>
    /// How often a referenced Secret without that label is read again with a direct GET
    /// (<c>--unlabelled-secret-recheck</c>, 1m): the longest a rotation of an unlabelled Secret takes to reach its
    /// tunnels. For the label-scoped Secret cache; parsed and validated here, while the Secret informer still caches
    /// every Secret.
    /// </summary>
    public TimeSpan UnlabelledSecretRecheck { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>OTLP endpoint for metrics and traces (<c>--otlp-endpoint</c>); none: no OTLP export.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>Port of the HTTP endpoint with <c>/metrics</c> (Prometheus), <c>/healthz</c> and <c>/readyz</c> (<c>--metrics-port</c>); 0 disables it.</summary>
    public int MetricsPort { get; init; } = 8080;

    /// <summary>A second port serving only <c>/healthz</c> and <c>/readyz</c>, for the kubelet's probes (<c>--health-port</c>); 0: none.</summary>
    public int HealthPort { get; init; }

    /// <summary>Host the Prometheus endpoint listens on (<c>--metrics-host</c>): <c>*</c> for every address, <c>localhost</c> for loopback only.</summary>
    public string MetricsHost { get; init; } = "*";

    /// <summary>Log as JSON lines (<c>--log-format json</c>, default) or plain text (<c>--log-format text</c>).</summary>
    public bool JsonLogs { get; init; } = true;

    /// <summary>How to reach the API server, from the connection flags.</summary>
    public KubernetesConnection Connection => new()
    {
        Kubeconfig = Kubeconfig,
        Context = Context,
        Server = Server,
        Token = Token,
        InsecureSkipTlsVerify = InsecureSkipTlsVerify,
    };

    /// <summary>The site's crypto policy from <see cref="ForbidWeakCrypto"/> and <see cref="ForbiddenAlgorithms"/>.</summary>
    public Ike.Config.CryptoPolicy CryptoPolicy => Ike.Config.CryptoPolicy.TryCreate(ForbidWeakCrypto, ForbiddenAlgorithms, out var policy, out var error)
        ? policy
        : throw new InvalidOperationException(error);

    /// <summary>How often each replica re-reads its webhook certificate Secret and the configuration's caBundle (no flag; one minute).</summary>
    public TimeSpan WebhookRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The validating admission webhook's settings, from the <c>--webhook-*</c> flags and the crypto policy.</summary>
    public Admission.WebhookOptions Webhook => new()
    {
        RefreshInterval = WebhookRefreshInterval,
        Port = WebhookPort,
        ServiceName = WebhookService ?? "",
        ConfigurationName = WebhookConfiguration ?? "",
        CertificateSecret = WebhookCertSecret ?? "",
        CertificateDirectory = WebhookCertDirectory,
        Policy = CryptoPolicy,
    };

    /// <summary>Minimum log level (<c>--log-level</c>).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Information;

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Server = {Server}, Kubeconfig = {Kubeconfig}, Context = {Context}, Token = {(Token is null ? "" : "(set)")}, ");
        builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"Namespace = {Namespace}, Identity = {Identity}, LeaderElection = {LeaderElection}, Workers = {Workers}");
        return true;
    }
}
