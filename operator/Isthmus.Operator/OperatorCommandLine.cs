using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator;

/// <summary>Parses the flags of <c>isthmus-operator</c> into <see cref="OperatorOptions"/>.</summary>
public static class OperatorCommandLine
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
}
