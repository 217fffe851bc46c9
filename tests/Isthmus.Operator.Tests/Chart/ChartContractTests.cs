using System.Text.Json.Nodes;
using Isthmus.Crd.Tests.Chart;
using Isthmus.Crd.Tests.Validation;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Telemetry;
using Isthmus.Operator.Tests.Nodes;

namespace Isthmus.Operator.Tests.Chart;

/// <summary>
/// The chart's operator Deployment, rendered by the real helm, against the programs it runs: its arguments are
/// accepted by isthmus-operator's own command line and mean what the values say; the IKE pod and the dataplane
/// DaemonSet the operator then builds from them are accepted by isthmus-iked's and isthmus-dataplane's; and the probes
/// ask for paths the operator serves on the port they name.
/// </summary>
public sealed class ChartContractTests
{
    private const string Mac = "02:00:5e:00:01:01";

    private static OperatorOptions ParseChartArgs(params string[] sets)
    {
        var args = Helm.Template([Helm.CipherNextHopMac, .. sets]).OperatorArgs;
        Assert.True(OperatorCommandLine.TryParse([.. args], out var options, out var error), $"isthmus-operator refuses the chart's args: {error}\n{string.Join('\n', args)}");
        return options;
    }

    private static JsonObject Values() => (JsonObject)YamlDocuments.Load(Path.Combine(Helm.ChartDirectory, "values.yaml")).Single()!;

    [Fact]
    public void The_operator_accepts_the_deployment_args_rendered_from_the_default_values()
    {
        var values = Values();
        var options = ParseChartArgs();

        Assert.Equal(Helm.Namespace, options.Namespace);
        Assert.Equal("$(POD_NAME)", options.Identity);
        Assert.True(options.LeaderElection);
        Assert.Equal(values["operator"]!["leaderElection"]!["leaseName"]!.ToString(), options.LeaseName);
        Assert.Equal(TimeSpan.FromSeconds(10), options.LeaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(8), options.RenewDeadline);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RetryPeriod);
        Assert.Equal(values["operator"]!["gatewayNodeLabel"]!.ToString(), options.GatewayLabel);
        Assert.Equal(values["operator"]!["metrics"]!["port"]!.GetValue<long>(), options.MetricsPort);
        Assert.Equal(values["operator"]!["health"]!["port"]!.GetValue<long>(), options.HealthPort);
        Assert.True(options.JsonLogs);
        Assert.Null(options.OtlpEndpoint);
        Assert.Equal("isthmus-ike", options.IkeServiceAccount);
        Assert.Equal("isthmus-dataplane", options.DataplaneServiceAccount);
        Assert.StartsWith("ghcr.io/isthmus/isthmus-ike:", options.IkeImage, StringComparison.Ordinal);
        Assert.Equal(Mac, options.DataplaneCipherNextHopMac);
        Assert.Equal(values["dataplane"]!["ports"]!["clear"]!.ToString(), options.DataplaneClearPort);
        Assert.Equal(values["dataplane"]!["hugepages"]!["amount"]!.ToString(), options.DataplaneDpdkMemory);
        Assert.Equal(("100m", null, "256Mi", "1Gi"), (options.IkeCpuRequest, options.IkeCpuLimit, options.IkeMemoryRequest, options.IkeMemoryLimit));
        Assert.Equal(values["webhook"]!["port"]!.GetValue<long>(), options.WebhookPort);
        Assert.Equal(("isthmus-webhook", "isthmus", "isthmus-webhook-tls", null), (options.WebhookService, options.WebhookConfiguration, options.WebhookCertSecret, options.WebhookCertDirectory));
        Assert.False(options.ForbidWeakCrypto);
        Assert.Empty(options.ForbiddenAlgorithms);
        Assert.Equal("isthmus.dev/tunnel-secret=true", options.SecretLabelSelector);
        Assert.Equal(TimeSpan.FromMinutes(1), options.UnlabelledSecretRecheck);
    }

    [Fact]
    public void The_identity_and_namespace_come_from_the_downward_api()
    {
        var container = Helm.Template(Helm.CipherNextHopMac).OperatorContainer;
        var env = container["env"]!.AsArray().Single(e => e!["name"]!.ToString() == "POD_NAME")!;

        Assert.Equal("metadata.name", env["valueFrom"]!["fieldRef"]!["fieldPath"]!.ToString());
    }

    [Theory]
    [InlineData("dataplane.enabled=false")]
    [InlineData("dataplane.hugepages.size=none")]
    [InlineData("dataplane.hugepages.size=1Gi", "dataplane.hugepages.amount=2Gi")]
    [InlineData("dataplane.ports.host=net_tap0\\,iface=isthmus0", "dataplane.clearNextHopMac=02:00:00:00:00:09")]
    [InlineData("dataplane.ports.cipher=0000:3d:01.0", "dataplane.cryptoDevice=0000:3d:02.0", "dataplane.cryptoDeviceName=0000:3d:02.0_qat_sym")]
    [InlineData("operator.otlp.endpoint=http://otel-collector.monitoring:4317")]
    [InlineData("operator.replicas=1", "operator.leaderElection.enabled=false")]
    [InlineData("webhook.enabled=false")]
    [InlineData("webhook.certManager.enabled=true", "webhook.port=10443")]
    [InlineData("cryptoPolicy.forbidWeak=true", "cryptoPolicy.forbiddenAlgorithms={modp1024,3des,sha1}")]
    [InlineData("secrets.labelSelector=team in (net\\, sec)", "secrets.unlabelledRecheck=90s")]
    [InlineData("ike.resources.requests.cpu=0.5", "ike.resources.limits.cpu=2", "ike.resources.requests.memory=1Gi", "ike.resources.limits.memory=4Gi")]
    [InlineData("fullnameOverride=edge", "operator.logFormat=text", "operator.logLevel=Debug")]
    public void The_operator_accepts_the_args_with_values_changed(params string[] sets)
    {
        var options = ParseChartArgs(sets);

        Assert.Equal(!sets.Contains("dataplane.enabled=false"), options.DataplaneEnabled);
        Assert.Equal(!sets.Contains("operator.leaderElection.enabled=false"), options.LeaderElection);
        Assert.Equal(sets.Contains("webhook.enabled=false") ? 0 : sets.Contains("webhook.port=10443") ? 10443 : 9443, options.WebhookPort);
        if (options.DataplaneEnabled)
        {
            NodeCommandContractTests.ParseDataplane(NodeManifests.DataplaneDaemonSet(options.Namespace, options).Spec.Template.Spec.Containers[0].Args);
        }
    }

    [Fact]
    public void Cert_manager_mode_gives_the_operator_only_the_mounted_certificate_directory()
    {
        var options = ParseChartArgs("webhook.certManager.enabled=true");

        Assert.Equal("/var/run/isthmus/webhook-tls", options.WebhookCertDirectory);
        Assert.Null(options.WebhookService);
        Assert.Null(options.WebhookConfiguration);
        Assert.Null(options.WebhookCertSecret);
    }

    [Fact]
    public void The_crypto_policy_and_secret_selection_reach_the_operator_as_given()
    {
        var options = ParseChartArgs("cryptoPolicy.forbidWeak=true", "cryptoPolicy.forbiddenAlgorithms={modp1024,3des}", "secrets.labelSelector=team in (net\\, sec)", "secrets.unlabelledRecheck=90s");

        Assert.True(options.ForbidWeakCrypto);
        Assert.Equal(["modp1024", "3des"], options.ForbiddenAlgorithms);
        Assert.Equal("team in (net, sec)", options.SecretLabelSelector);
        Assert.Equal(TimeSpan.FromSeconds(90), options.UnlabelledSecretRecheck);
    }

    [Fact]
    public void The_ike_pod_gets_the_cpu_and_memory_of_the_values()
    {
        var options = ParseChartArgs("ike.resources.requests.cpu=250m", "ike.resources.limits.cpu=2", "ike.resources.requests.memory=512Mi", "ike.resources.limits.memory=2Gi");

        var resources = NodeManifests.IkePod(NodeCommandContractTests.Config(), options.Namespace, options).Spec.Containers[0].Resources;

        Assert.Equal(("250m", "2", "512Mi", "2Gi"),
            (resources.Requests["cpu"].ToString(), resources.Limits["cpu"].ToString(), resources.Requests["memory"].ToString(), resources.Limits["memory"].ToString()));
    }

    [Fact]
    public void Image_pull_secrets_become_repeated_flags()
    {
        var options = ParseChartArgs("image.pullSecrets[0].name=one", "image.pullSecrets[1].name=two");

        Assert.Equal(["one", "two"], options.ImagePullSecrets);
        Assert.Empty(ParseChartArgs().ImagePullSecrets);
    }

    [Fact]
    public void The_pods_the_operator_builds_from_the_chart_args_run_commands_their_programs_accept()
    {
        var options = ParseChartArgs();

        var pod = NodeManifests.IkePod(NodeCommandContractTests.Config(), options.Namespace, options);
        var (daemon, kube) = NodeCommandContractTests.ParseIked(pod.Spec.Containers[0].Args);
        Assert.Equal(DataplaneCommand.Socket, daemon.DataplaneSocket);
        Assert.True(kube.Enabled);

        var ds = NodeManifests.DataplaneDaemonSet(options.Namespace, options);
        var serve = NodeCommandContractTests.ParseDataplane(ds.Spec.Template.Spec.Containers[0].Args);
        Assert.Equal(Mac, Isthmus.Dataplane.Hosting.DpdkServeOptions.FormatMac(serve.CipherNextHopMac));
        Assert.Equal("512Mi", ds.Spec.Template.Spec.Containers[0].Resources.Limits["hugepages-2Mi"].ToString());
    }

    [Fact]
    public void The_probes_ask_the_health_port_for_paths_the_operator_serves()
    {
        var options = ParseChartArgs();
        var container = Helm.Template(Helm.CipherNextHopMac).OperatorContainer;
        var ports = container["ports"]!.AsArray().ToDictionary(p => p!["name"]!.ToString(), p => p!["containerPort"]!.GetValue<long>());

        var liveness = container["livenessProbe"]!["httpGet"]!;
        var readiness = container["readinessProbe"]!["httpGet"]!;
        Assert.Equal(TelemetryEndpoint.LivenessPath, liveness["path"]!.ToString());
        Assert.Equal(TelemetryEndpoint.ReadinessPath, readiness["path"]!.ToString());
        foreach (var probe in new[] { liveness, readiness })
        {
            var port = ports[probe["port"]!.ToString()];
            Assert.True(port == options.HealthPort || port == options.MetricsPort, $"probe port {port} is neither --health-port nor --metrics-port");
            Assert.NotEqual(0, port);
        }
        Assert.Equal(options.MetricsPort, ports["metrics"]);
        Assert.Equal(options.WebhookPort, ports["webhook"]);
    }
}
