using System.Globalization;
using System.Text.RegularExpressions;
using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator;

/// <summary>Parses the flags of <c>isthmus-operator</c> into <see cref="OperatorOptions"/>.</summary>
public static partial class OperatorCommandLine
{
    public const string Usage = """
        isthmus-operator: places IpsecTunnels on gateway nodes and runs the IKE daemon and dataplane there

        usage: isthmus-operator [flags]     (each flag as --flag VALUE or --flag=VALUE)
          connection (default: in-cluster, else $KUBECONFIG or ~/.kube/config):
            --kubeconfig PATH            kubeconfig file            --context NAME        context in it
            --server URL                 API server URL (overrides the kubeconfig's; alone it needs none)
            --token TOKEN                bearer token               --insecure-skip-tls-verify
          operator:
            --namespace NS               namespace of the Lease, node configs, IKE pods, DaemonSet (isthmus-system)
            --workers N                  parallel reconciles (4)    --resync DURATION     full resync period (10m)
            --leader-elect true|false    compete for a Lease (true) --lease-name NAME (isthmus-operator)
            --identity ID                this replica in the Lease (host name and pid)
            --lease-duration D --renew-deadline D --retry-period D   (15s, 10s, 2s)
            --gateway-label KEY          nodes with KEY=true are gateways for tunnels without nodeSelector
                                         (ipsec.isthmus.dev/gateway); the dataplane runs on them
          node components:
            --ike-image IMAGE            --ike-service-account NAME (isthmus-iked)
            --ike-cpu-request Q --ike-cpu-limit Q        IKE pod CPU (100m; no limit unless given)
            --ike-memory-request Q --ike-memory-limit Q  IKE pod memory (256Mi, 1Gi)
            --image-pull-secret NAME     for the IKE pods and the dataplane (repeatable)
            --dataplane true|false       manage the dataplane DaemonSet and install SAs into it (true)
            --dataplane-image IMAGE      --dataplane-service-account NAME (isthmus-dataplane)
            --dataplane-clear-port DEV   LAN port: PCI address (vfio-pci) or vdev (net_af_packet0,iface=eth1)
            --dataplane-cipher-port DEV  WAN port, likewise (net_af_packet1,iface=eth0)
            --dataplane-host-port DEV    optional net_tap toward the node's kernel (IKE, ARP) when the WAN NIC is DPDK's
            --dataplane-crypto-device D  vdev or PCI address (crypto_aesni_gcm0)
            --dataplane-crypto-device-name NAME  its cryptodev name when not the device's (e.g. 0000:3d:01.0_qat_sym)
            --dataplane-cipher-next-hop-mac MAC  WAN router's MAC: required with --dataplane true
            --dataplane-clear-next-hop-mac MAC   LAN next hop (default: the clear port's own MAC)
            --dataplane-lcores LIST      EAL lcores, one CPU each (0,1)
            --dataplane-hugepage-size S  2Mi, 1Gi or none (--no-huge) (2Mi)
            --dataplane-dpdk-memory Q    DPDK memory: hugepages, or -m with none (512Mi)
            --dataplane-memory Q         the process's other memory (256Mi)
          admission webhook (served by every replica, leader or not) and crypto policy (webhook and Accepted condition):
            --webhook-port N             HTTPS port of the validating webhook; 0: no webhook (0)
            --webhook-service NAME       its Service in --namespace; the serving certificate names it
            --webhook-configuration NAME the ValidatingWebhookConfiguration whose caBundle the operator keeps
            --webhook-cert-secret NAME   Secret in --namespace holding the webhook's CA and serving certificate
            --webhook-cert-dir DIR       instead of the three above: tls.crt and tls.key from cert-manager
            --forbid-weak-crypto true|false   refuse weak algorithms instead of warning (false)
            --forbid-algorithm KEYWORD   refuse tunnels using this strongSwan keyword (repeatable)
          secrets (the label-scoped cache; the flags are checked here):
            --secret-label-selector SEL  Secrets cached with a watch (isthmus.dev/tunnel-secret=true)
            --unlabelled-secret-recheck D  re-read period of referenced Secrets without the label (1m)
          telemetry:
            --metrics-port N             /metrics, /healthz, /readyz; 0 disables (8080)   --metrics-host HOST (*)
            --health-port N              also /healthz and /readyz alone on this port, for probes (0: none)
            --otlp-endpoint URL          OTLP exporter for metrics and traces
            --log-format json|text (json) --log-level LEVEL (Information)

        /healthz answers 200 while the process runs. /readyz answers 200 while this replica leads and its informers
        have synced, or while it is a standby waiting for the Lease (so a rolling update is not blocked by the
        standby); 503 while the leader's caches are still loading and once shutdown has begun.
        """;

    /// <summary>Parses <paramref name="args"/>; on a bad flag returns false with <paramref name="error"/>.</summary>
    public static bool TryParse(string[] args, out OperatorOptions options, out string? error)
    {
        options = new OperatorOptions();
        error = null;
        var pullSecrets = new List<string>();
        var forbidden = new List<string>();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var flag = args[i];
                string? inline = null;
                var equals = flag.IndexOf('=', StringComparison.Ordinal);
                if (flag.StartsWith("--", StringComparison.Ordinal) && equals > 0)
                {
                    inline = flag[(equals + 1)..];
                    flag = flag[..equals];
                }
                string Value()
                {
                    if (inline is not null)
                    {
                        var value = inline;
                        inline = null;
                        return value;
                    }
                    return i + 1 < args.Length ? args[++i] : throw new FormatException($"flag {flag} needs a value");
                }
                options = flag switch
                {
                    "--kubeconfig" => options with { Kubeconfig = Value() },
                    "--context" => options with { Context = Value() },
                    "--server" => options with { Server = Value() },
                    "--token" => options with { Token = Value() },
                    "--insecure-skip-tls-verify" => options with { InsecureSkipTlsVerify = inline is null || Bool(flag, Value()) },
                    "--namespace" => options with { Namespace = Value() },
                    "--workers" => options with { Workers = Positive(flag, Value()) },
                    "--resync" => options with { ResyncPeriod = Time(flag, Value()) },
                    "--leader-elect" => options with { LeaderElection = Bool(flag, Value()) },
                    "--lease-name" => options with { LeaseName = Value() },
                    "--identity" => options with { Identity = Value() },
                    "--lease-duration" => options with { LeaseDuration = Time(flag, Value()) },
                    "--renew-deadline" => options with { RenewDeadline = Time(flag, Value()) },
                    "--retry-period" => options with { RetryPeriod = Time(flag, Value()) },
                    "--gateway-label" => options with { GatewayLabel = Value() },
                    "--ike-image" => options with { IkeImage = Value() },
                    "--ike-service-account" => options with { IkeServiceAccount = Value() },
                    "--ike-cpu-request" => options with { IkeCpuRequest = Cpu(flag, Value()) },
                    "--ike-cpu-limit" => options with { IkeCpuLimit = Cpu(flag, Value()) },
                    "--ike-memory-request" => options with { IkeMemoryRequest = Memory(flag, Value()) },
                    "--ike-memory-limit" => options with { IkeMemoryLimit = Memory(flag, Value()) },
                    "--dataplane" => options with { DataplaneEnabled = Bool(flag, Value()) },
                    "--dataplane-image" => options with { DataplaneImage = Value() },
                    "--dataplane-service-account" => options with { DataplaneServiceAccount = Value() },
                    "--image-pull-secret" => options with { ImagePullSecrets = [.. Add(pullSecrets, Value())] },
                    "--dataplane-clear-port" => options with { DataplaneClearPort = Value() },
                    "--dataplane-cipher-port" => options with { DataplaneCipherPort = Value() },
                    "--dataplane-host-port" => options with { DataplaneHostPort = Value() },
                    "--dataplane-crypto-device" => options with { DataplaneCryptoDevice = Value() },
                    "--dataplane-crypto-device-name" => options with { DataplaneCryptoDeviceName = Value() },
                    "--dataplane-cipher-next-hop-mac" => options with { DataplaneCipherNextHopMac = Value() },
                    "--dataplane-clear-next-hop-mac" => options with { DataplaneClearNextHopMac = Value() },
                    "--dataplane-lcores" => options with { DataplaneLcores = Value() },
                    "--dataplane-hugepage-size" => options with { DataplaneHugepageSize = Value() },
                    "--dataplane-dpdk-memory" => options with { DataplaneDpdkMemory = Value() },
                    "--dataplane-memory" => options with { DataplaneMemory = Value() },
                    "--webhook-port" => options with { WebhookPort = Port(flag, Value()) },
                    "--webhook-service" => options with { WebhookService = Name(flag, Value(), Dns1035Label(), 63, "a Service name (DNS-1035 label)") },
                    "--webhook-configuration" => options with { WebhookConfiguration = Name(flag, Value(), Dns1123Subdomain(), 253, "an object name (DNS-1123 subdomain)") },
                    "--webhook-cert-secret" => options with { WebhookCertSecret = Name(flag, Value(), Dns1123Subdomain(), 253, "a Secret name (DNS-1123 subdomain)") },
                    "--webhook-cert-dir" => options with { WebhookCertDirectory = AbsolutePath(flag, Value()) },
                    "--forbid-weak-crypto" => options with { ForbidWeakCrypto = Bool(flag, Value()) },
                    "--forbid-algorithm" => options with { ForbiddenAlgorithms = [.. Add(forbidden, Keyword(flag, Value()))] },
                    "--secret-label-selector" => options with { SecretLabelSelector = Selector(flag, Value()) },
                    "--unlabelled-secret-recheck" => options with { UnlabelledSecretRecheck = Time(flag, Value()) },
                    "--metrics-port" => options with { MetricsPort = Port(flag, Value()) },
                    "--health-port" => options with { HealthPort = Port(flag, Value()) },
                    "--metrics-host" => options with { MetricsHost = Host(flag, Value()) },
                    "--otlp-endpoint" => options with { OtlpEndpoint = Url(flag, Value()) },
                    "--log-format" => options with { JsonLogs = Value() switch { "json" => true, "text" => false, var v => throw new FormatException($"{flag}: '{v}' is not json or text") } },
                    "--log-level" => options with { LogLevel = Enum.TryParse<LogLevel>(Value(), ignoreCase: true, out var level) ? level : throw new FormatException($"{flag}: unknown level") },
                    _ => throw new FormatException($"unknown flag '{flag}'"),
                };
                if (inline is not null)
                {
                    throw new FormatException($"flag {flag} takes no value");
                }
            }
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
        if (options.Server is not null && !Uri.TryCreate(options.Server, UriKind.Absolute, out _))
        {
            error = $"--server: '{options.Server}' is not a URL";
            return false;
        }
        if (options.RenewDeadline >= options.LeaseDuration)
        {
            error = "--renew-deadline must be shorter than --lease-duration";
            return false;
        }
        if (options.RenewDeadline <= options.RetryPeriod * 1.2)
        {
            error = "--renew-deadline must be longer than 1.2 x --retry-period (a leader must be able to retry a failed renewal)";
            return false;
        }
        if (options.HealthPort != 0 && options.HealthPort == options.MetricsPort)
        {
            error = "--health-port must differ from --metrics-port (the metrics port serves /healthz and /readyz already)";
            return false;
        }
        if ((IkeResourcesError(options) ?? WebhookError(options)) is { } settingsError)
        {
            error = settingsError;
            return false;
        }
        if (options.DataplaneEnabled)
        {
            if (options.DataplaneCipherNextHopMac is null)
            {
                error = "--dataplane-cipher-next-hop-mac is required while the operator runs the dataplane (or pass --dataplane false)";
                return false;
            }
            if (Nodes.DataplaneCommand.Validate(options) is { } dataplaneError)
            {
                error = dataplaneError;
                return false;
            }
        }
        return true;
    }

    /// <summary>Why the IKE pod's CPU and memory cannot make a valid pod (a request above its limit), or null.</summary>
    private static string? IkeResourcesError(OperatorOptions options)
    {
        if (options.IkeCpuLimit is { } cpuLimit && Millicores(cpuLimit) < Millicores(options.IkeCpuRequest))
        {
            return $"--ike-cpu-limit {cpuLimit} is below --ike-cpu-request {options.IkeCpuRequest}";
        }
        if (Bytes(options.IkeMemoryLimit) < Bytes(options.IkeMemoryRequest))
        {
            return $"--ike-memory-limit {options.IkeMemoryLimit} is below --ike-memory-request {options.IkeMemoryRequest}";
        }
        return null;
    }

    /// <summary>
    /// Why the webhook flags do not describe one of the two ways to serve it, or null. With a port: either the operator
    /// manages the certificate (Service, configuration and Secret named) or cert-manager does (only the directory);
    /// without one, no other webhook flag, since it would do nothing.
    /// </summary>
    private static string? WebhookError(OperatorOptions options)
    {
        var named = new[]
        {
            ("--webhook-service", options.WebhookService),
            ("--webhook-configuration", options.WebhookConfiguration),
            ("--webhook-cert-secret", options.WebhookCertSecret),
        };
        if (options.WebhookPort == 0)
        {
            foreach (var (flag, value) in named.Append(("--webhook-cert-dir", options.WebhookCertDirectory)))
            {
                if (value is not null)
                {
                    return $"{flag} is set but the webhook is off (--webhook-port 0)";
                }
            }
            return null;
        }
        if (options.WebhookPort == options.MetricsPort || options.WebhookPort == options.HealthPort)
        {
            return $"--webhook-port {options.WebhookPort} must differ from --metrics-port and --health-port";
        }
        if (options.WebhookCertDirectory is not null)
        {
            foreach (var (flag, value) in named)
            {
                if (value is not null)
                {
                    return $"{flag} does not go with --webhook-cert-dir: with cert-manager's certificate the operator manages no CA, Secret or caBundle";
                }
            }
            return null;
        }
        foreach (var (flag, value) in named)
        {
            if (value is null)
            {
                return $"{flag} is required with --webhook-port (or pass --webhook-cert-dir for a certificate from cert-manager)";
            }
        }
        return null;
    }

    private static List<string> Add(List<string> values, string value)
    {
        values.Add(value);
        return values;
    }

    private static int Positive(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new FormatException($"{flag}: '{text}' is not a positive integer");

    private static int Port(string flag, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 65535 ? n : throw new FormatException($"{flag}: '{text}' is not a port (0-65535)");

    private static bool Bool(string flag, string text) => text switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FormatException($"{flag}: '{text}' is not true or false"),
    };

    private static TimeSpan Time(string flag, string text) =>
        Api.Duration.TryParse(text, out var value, out var error) && value > TimeSpan.Zero ? value : throw new FormatException($"{flag}: {error ?? "must be positive"}");

    private static string Host(string flag, string text) =>
        text is "*" or "localhost" || System.Net.IPAddress.TryParse(text, out _) ? text : throw new FormatException($"{flag}: '{text}' is not *, localhost or an IP address");

    private static Uri Url(string flag, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"{flag}: '{text}' is not a URL");

    private static string Name(string flag, string text, Regex syntax, int maxLength, string what) =>
        text.Length <= maxLength && syntax.IsMatch(text) ? text : throw new FormatException($"{flag}: '{text}' is not {what}");

    private static string AbsolutePath(string flag, string text) =>
        text.StartsWith('/') && !text.Contains('\0', StringComparison.Ordinal) ? text : throw new FormatException($"{flag}: '{text}' is not an absolute path");

    /// <summary>
    /// A strongSwan proposal keyword Isthmus implements, in lower case. Known when some one-keyword ESP proposal built
    /// around it parses: alone (an AEAD cipher), with an integrity algorithm (another cipher), after AES-GCM (a PRF, DH
    /// group or ESN keyword) or after AES-CBC (an integrity algorithm); the parser's keyword table decides.
    /// </summary>
    private static string Keyword(string flag, string text)
    {
        if (!KeywordSyntax().IsMatch(text))
        {
            throw new FormatException($"{flag}: '{text}' is not one strongSwan algorithm keyword in lower case (e.g. modp1024, 3des, sha1)");
        }
        if (!CryptoPolicy.TryCreate(forbidWeak: false, [text], out _, out var error))
        {
            throw new FormatException($"{flag}: {error}");
        }
        return text;
    }

    /// <summary>
    /// A Kubernetes label selector of equality (<c>k=v</c>, <c>k==v</c>, <c>k!=v</c>), set (<c>k in (a,b)</c>,
    /// <c>k notin (a,b)</c>) and existence (<c>k</c>, <c>!k</c>) requirements, comma-separated, with keys and values
    /// as the API server checks them.
    /// </summary>
    private static string Selector(string flag, string text)
    {
        var match = LabelSelectorSyntax().Match(text);
        if (!match.Success)
        {
            throw new FormatException($"{flag}: '{text}' is not a label selector (e.g. isthmus.dev/tunnel-secret=true)");
        }
        foreach (Capture key in match.Groups["key"].Captures)
        {
            var slash = key.Value.LastIndexOf('/');
            if (key.Value.Length - slash - 1 > 63 || slash > 253)
            {
                throw new FormatException($"{flag}: label key '{key.Value}' is too long (name 63, prefix 253 characters)");
            }
        }
        foreach (Capture value in match.Groups["value"].Captures)
        {
            if (value.Value.Length > 63)
            {
                throw new FormatException($"{flag}: label value '{value.Value}' is longer than 63 characters");
            }
        }
        return text;
    }

    /// <summary>A CPU quantity: whole or up to three decimal cores (<c>1</c>, <c>0.5</c>) or millicores (<c>100m</c>), above zero.</summary>
    private static string Cpu(string flag, string text) =>
        CpuSyntax().IsMatch(text) && Millicores(text) > 0 ? text : throw new FormatException($"{flag}: '{text}' is not a CPU quantity above zero (e.g. 100m, 0.5, 2)");

    /// <summary>A memory quantity of at least 64Mi (<c>256Mi</c>, <c>1Gi</c>, <c>500M</c>).</summary>
    private static string Memory(string flag, string text) =>
        MemorySyntax().IsMatch(text) && Bytes(text) >= 64L << 20 ? text : throw new FormatException($"{flag}: '{text}' is not a memory quantity of at least 64Mi (e.g. 256Mi, 1Gi)");

    private static decimal Millicores(string cpu) =>
        cpu.EndsWith('m') ? decimal.Parse(cpu[..^1], CultureInfo.InvariantCulture) : decimal.Parse(cpu, CultureInfo.InvariantCulture) * 1000;

    private static decimal Bytes(string memory)
    {
        var match = MemorySyntax().Match(memory);
        decimal unit = match.Groups[2].Value switch
        {
            "" => 1m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "T" => 1e12m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            _ => 1024m * 1024 * 1024 * 1024,
        };
        return decimal.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * unit;
    }

    [GeneratedRegex(@"^(\d{1,9}m|\d{1,6}(\.\d{1,3})?)$")]
    private static partial Regex CpuSyntax();

    [GeneratedRegex(@"^(\d{1,12}(?:\.\d{1,3})?)(k|M|G|T|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex MemorySyntax();

    [GeneratedRegex(@"^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex(@"^[a-z0-9_]{1,32}$")]
    private static partial Regex KeywordSyntax();

    // key: optional DNS-subdomain prefix and '/', then a name; value: empty or a name. Requirements: !key, key,
    // key(=|==|!=)value, key (in|notin) (value, ...), separated by commas.
    private const string LabelKey = @"(?<key>(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)";
    private const string LabelValue = @"(?<value>(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?)";
    private const string LabelRequirement =
        @"\s*(?:!\s*" + LabelKey + "|" + LabelKey + @"(?:\s*(?:==|=|!=)\s*" + LabelValue + @"|\s+(?:in|notin)\s*\(\s*" + LabelValue + @"(?:\s*,\s*" + LabelValue + @")*\s*\))?)\s*";

    [GeneratedRegex("^" + LabelRequirement + "(?:," + LabelRequirement + ")*$")]
    private static partial Regex LabelSelectorSyntax();
}
