using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator;

/// <summary>Parses the flags of <c>isthmus-operator</c> into <see cref="OperatorOptions"/>.</summary>
public static class OperatorCommandLine
{
    public const string Usage = """
        isthmus-operator: places IpsecTunnels on gateway nodes and runs the IKE daemon and dataplane there

        usage: isthmus-operator [flags]
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
          node components:
            --ike-image IMAGE            --ike-service-account NAME
            --dataplane true|false       manage the dataplane DaemonSet (true)
            --dataplane-image IMAGE      --dataplane-service-account NAME
            --dataplane-hugepages Q      2Mi hugepages per pod (512Mi)   --dataplane-memory Q (512Mi)
            --dataplane-port PORT        DPDK port, PCI address or vdev (repeatable)
            --dataplane-crypto-device D  DPDK crypto device (crypto_aesni_gcm)
          telemetry:
            --metrics-port N             Prometheus /metrics port, 0 disables (9090)   --metrics-host HOST (*)
            --otlp-endpoint URL          OTLP exporter for metrics and traces
            --log-format json|text (json) --log-level LEVEL (Information)
        """;

    /// <summary>Parses <paramref name="args"/>; on a bad flag returns false with <paramref name="error"/>.</summary>
    public static bool TryParse(string[] args, out OperatorOptions options, out string? error)
    {
        options = new OperatorOptions();
        error = null;
        var ports = new List<string>();
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                var flag = args[i];
                string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"flag {flag} needs a value");
                options = flag switch
                {
                    "--kubeconfig" => options with { Kubeconfig = Value() },
                    "--context" => options with { Context = Value() },
                    "--server" => options with { Server = Value() },
                    "--token" => options with { Token = Value() },
                    "--insecure-skip-tls-verify" => options with { InsecureSkipTlsVerify = true },
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
                    "--dataplane-hugepages" => options with { DataplaneHugepages = Value() },
                    "--dataplane-memory" => options with { DataplaneMemory = Value() },
                    "--dataplane-port" => Add(options, ports, Value()),
                    "--dataplane-crypto-device" => options with { DataplaneCryptoDevice = Value() },
                    "--metrics-port" => options with { MetricsPort = Port(flag, Value()) },
                    "--metrics-host" => options with { MetricsHost = Value() },
                    "--otlp-endpoint" => options with { OtlpEndpoint = Url(flag, Value()) },
                    "--log-format" => options with { JsonLogs = Value() switch { "json" => true, "text" => false, var v => throw new FormatException($"{flag}: '{v}' is not json or text") } },
                    "--log-level" => options with { LogLevel = Enum.TryParse<LogLevel>(Value(), ignoreCase: true, out var level) ? level : throw new FormatException($"{flag}: unknown level") },
                    _ => throw new FormatException($"unknown flag '{flag}'"),
                };
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
        return true;
    }

    private static OperatorOptions Add(OperatorOptions options, List<string> ports, string port)
    {
        ports.Add(port);
        return options with { DataplanePorts = [.. ports] };
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

    private static Uri Url(string flag, string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) ? uri : throw new FormatException($"{flag}: '{text}' is not a URL");
}
