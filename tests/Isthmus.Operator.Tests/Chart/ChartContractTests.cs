using System.Text.Json.Nodes;
using Isthmus.Operator.Nodes;
using Isthmus.Operator.Telemetry;
using Isthmus.Operator.Tests.Nodes;

namespace Isthmus.Operator.Tests.Chart;

/// <summary>
/// The chart's operator Deployment against the programs it runs: its arguments, rendered from values.yaml, are
/// accepted by isthmus-operator's own command line; the IKE pod and the dataplane DaemonSet that the operator then
/// builds from them are accepted by isthmus-iked's and isthmus-dataplane's; and the probes ask for paths the
/// operator serves on the port they name.
/// </summary>
public sealed class ChartContractTests
{
    private const string Mac = "02:00:5e:00:01:01";
    private const string DeploymentTemplate = "templates/operator-deployment.yaml";

    private static OperatorOptions ParseChartArgs(ChartTemplate chart)
    {
        var args = chart.RenderArgs(ChartTemplate.Read(DeploymentTemplate));
        Assert.True(OperatorCommandLine.TryParse([.. args], out var options, out var error), $"isthmus-operator refuses the chart's args: {error}\n{string.Join('\n', args)}");
        return options;
    }

    private static JsonObject Container(ChartTemplate chart) =>
        chart.Structure(ChartTemplate.Read(DeploymentTemplate)).Single()["spec"]!["template"]!["spec"]!["containers"]![0]!.AsObject();

    [Fact]
    public void The_operator_accepts_the_deployment_args_rendered_from_the_default_values()
    {
        var chart = ChartTemplate.WithDefaults(("dataplane.cipherNextHopMac", Mac));
        var values = ChartTemplate.WithDefaultsValues();
        var options = ParseChartArgs(chart);

        Assert.Equal(ChartTemplate.ReleaseNamespace, options.Namespace);
        Assert.Equal("$(POD_NAME)", options.Identity);
        Assert.True(options.LeaderElection);
        Assert.Equal(values["operator"]!["leaderElection"]!["leaseName"]!.ToString(), options.LeaseName);
        Assert.Equal(TimeSpan.FromSeconds(15), options.LeaseDuration);
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
    }

    [Fact]
    public void The_identity_and_namespace_come_from_the_downward_api()
    {
        var container = Container(ChartTemplate.WithDefaults(("dataplane.cipherNextHopMac", Mac)));
        var env = container["env"]!.AsArray().Single(e => e!["name"]!.ToString() == "POD_NAME")!;

        Assert.Equal("metadata.name", env["valueFrom"]!["fieldRef"]!["fieldPath"]!.ToString());
    }

    [Fact]
    public void Installing_without_the_cipher_next_hop_mac_stops_with_a_message_naming_the_value()
    {
        var chart = ChartTemplate.WithDefaults();

        var e = Assert.Throws<ChartRenderException>(() => chart.RenderArgs(ChartTemplate.Read(DeploymentTemplate)));
        Assert.Contains("dataplane.cipherNextHopMac", e.Message);
    }

    [Theory]
    [InlineData("dataplane.enabled=false")]
    [InlineData("dataplane.hugepages.size=none")]
    [InlineData("dataplane.hugepages.size=1Gi", "dataplane.hugepages.amount=2Gi")]
    [InlineData("dataplane.ports.host=net_tap0,iface=isthmus0", "dataplane.clearNextHopMac=02:00:00:00:00:09")]
    [InlineData("dataplane.ports.cipher=0000:3d:01.0", "dataplane.cryptoDevice=0000:3d:02.0", "dataplane.cryptoDeviceName=0000:3d:02.0_qat_sym")]
    [InlineData("operator.otlp.endpoint=http://otel-collector.monitoring:4317")]
    [InlineData("operator.leaderElection.enabled=false")]
    public void The_operator_accepts_the_args_with_values_changed(params string[] sets)
    {
        var overrides = sets.Select(s => s.Split('=', 2)).Select(p => (p[0], p[1])).Prepend(("dataplane.cipherNextHopMac", Mac)).ToArray();
        var options = ParseChartArgs(ChartTemplate.WithDefaults(overrides));

        Assert.Equal(!sets.Contains("dataplane.enabled=false"), options.DataplaneEnabled);
        Assert.Equal(!sets.Contains("operator.leaderElection.enabled=false"), options.LeaderElection);
        if (options.DataplaneEnabled)
        {
            NodeCommandContractTests.ParseDataplane(NodeManifests.DataplaneDaemonSet(options.Namespace, options).Spec.Template.Spec.Containers[0].Args);
        }
    }

    [Fact]
    public void Image_pull_secrets_become_repeated_flags()
    {
        var chart = ChartTemplate.WithDefaults(("dataplane.cipherNextHopMac", Mac));
        var values = ChartTemplate.WithDefaultsValues();
        values["dataplane"]!["cipherNextHopMac"] = Mac;
        values["image"]!["pullSecrets"] = new JsonArray(new JsonObject { ["name"] = "one" }, new JsonObject { ["name"] = "two" });
        var options = ParseChartArgs(new ChartTemplate(values, "0.1.0"));

        Assert.Equal(["one", "two"], options.ImagePullSecrets);
        Assert.Empty(ParseChartArgs(chart).ImagePullSecrets);
    }

    [Fact]
    public void The_pods_the_operator_builds_from_the_chart_args_run_commands_their_programs_accept()
    {
        var options = ParseChartArgs(ChartTemplate.WithDefaults(("dataplane.cipherNextHopMac", Mac)));

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
        var chart = ChartTemplate.WithDefaults(("dataplane.cipherNextHopMac", Mac));
        var options = ParseChartArgs(chart);
        var container = Container(chart);
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
    }
}
