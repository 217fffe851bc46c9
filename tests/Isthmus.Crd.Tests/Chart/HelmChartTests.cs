using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// charts/isthmus through the real helm: it lints strictly, <c>helm show crds</c> hands over the two CRDs as separate
/// documents, every value is read by a template, and what it renders (the operator's pod, the PodDisruptionBudget, the
/// metrics Service, the install notes) is what a cluster needs.
/// </summary>
public sealed class HelmChartTests
{
    public static TheoryData<string[]> LintValueSets => new(
    [
        [],
        [Helm.CipherNextHopMac],
        ["dataplane.enabled=false", "webhook.enabled=false", "operator.metrics.service.enabled=false"],
        [Helm.CipherNextHopMac, "webhook.certManager.enabled=true", "webhook.failurePolicy=Ignore"],
        [Helm.CipherNextHopMac, "operator.replicas=1", "operator.leaderElection.enabled=false", "dataplane.hugepages.size=none"],
        [Helm.CipherNextHopMac, "fullnameOverride=edge", "image.pullSecrets[0].name=regcred", "ike.resources.limits.cpu=1"],
        [Helm.CipherNextHopMac, "cryptoPolicy.forbidWeak=true", "cryptoPolicy.forbiddenAlgorithms={modp2048}", "operator.otlp.endpoint=http://otel.monitoring:4317"],
    ]);

    [Theory]
    [MemberData(nameof(LintValueSets))]
    public void The_chart_lints_strictly(string[] sets)
    {
        var result = Helm.Lint(sets);

        Assert.True(result.Succeeded, result.ToString() + result.Output);
        Assert.Contains("1 chart(s) linted, 0 chart(s) failed", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[WARNING]", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("[ERROR]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_fails_on_values_the_schema_refuses()
    {
        var result = Helm.Lint(Helm.CipherNextHopMac, "operator.logFormat=xml");

        Assert.False(result.Succeeded);
        Assert.Contains("operator.logFormat", result.Output + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Show_crds_yields_the_two_crds_as_separate_documents()
    {
        var result = Helm.ShowCrds();
        Assert.True(result.Succeeded, result.ToString());

        // `helm show crds | kubectl apply --server-side -f -` is how a packaged chart's CRDs are upgraded: each CRD
        // must be a document of its own (helm 3.17 joins the files as they are, so each file starts with ---).
        List<JsonObject> documents;
        try
        {
            documents = YamlDocuments.Parse(result.Output).OfType<JsonObject>().ToList();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            Assert.Fail($"`helm show crds` is not one YAML document per CRD ({e.Message}): every file in charts/isthmus/crds/ must start with ---");
            throw;
        }
        Assert.Equal(["ipsectunnels.ipsec.isthmus.dev", "trafficselectors.ipsec.isthmus.dev"],
            documents.Select(d => d["metadata"]!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.All(documents, d => Assert.Equal("CustomResourceDefinition", d["kind"]!.GetValue<string>()));
    }

    [Fact]
    public void Chart_metadata_and_values_parse()
    {
        var chart = YamlDocuments.Load(Path.Combine(RepositoryPaths.Chart, "Chart.yaml")).OfType<JsonObject>().Single();
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("isthmus", chart["name"]!.GetValue<string>());

        var values = Values();
        Assert.Equal(2L, values["operator"]!["replicas"]!.GetValue<long>());
        Assert.True(values["operator"]!["leaderElection"]!["enabled"]!.GetValue<bool>());
        Assert.True(values["webhook"]!["enabled"]!.GetValue<bool>());
        Assert.Equal("Fail", values["webhook"]!["failurePolicy"]!.GetValue<string>());
        Assert.Equal("isthmus.dev/tunnel-secret=true", values["secrets"]!["labelSelector"]!.GetValue<string>());
    }

    [Fact]
    public void Every_value_is_read_by_a_template()
    {
        // A value no template reads is a setting that silently does nothing.
        var templates = string.Concat(Directory.GetFiles(Path.Combine(RepositoryPaths.Chart, "templates"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        var unused = Leaves(Values(), "", templates).Where(path => !IsRead(templates, path)).ToList();
        Assert.True(unused.Count == 0, "values no template reads: " + string.Join(", ", unused));
    }

    // A map read whole (handed to toYaml or to a helper, like resources or ike.image) counts as one value.
    private static IEnumerable<string> Leaves(JsonNode? node, string path, string templates) =>
        node is JsonObject map && map.Count > 0 && !IsRead(templates, path)
            ? map.SelectMany(p => Leaves(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}", templates))
            : [path];

    private static bool IsRead(string templates, string path) =>
        path.Length > 0 && Regex.IsMatch(templates, Regex.Escape(".Values." + path) + @"(?![A-Za-z0-9_.])");

    [Fact]
    public void Dataplane_service_account_gets_no_token()
    {
        var dataplane = Helm.Template(Helm.CipherNextHopMac).Single("ServiceAccount", "isthmus-dataplane");

        Assert.False(dataplane["automountServiceAccountToken"]!.GetValue<bool>());
    }

    [Fact]
    public void Operator_runs_leader_elected_non_root_without_capabilities()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac);
        var pod = rendered.Single("Deployment")["spec"]!["template"]!["spec"]!;
        var container = rendered.OperatorContainer;

        Assert.Equal("true", rendered.OperatorFlag("--leader-elect"));
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.True(container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>());
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public void Two_replicas_get_a_disruption_budget_keeping_one_and_a_single_replica_none()
    {
        var budget = Helm.Template(Helm.CipherNextHopMac).Single("PodDisruptionBudget", "isthmus-operator");
        Assert.Equal("policy/v1", budget["apiVersion"]!.GetValue<string>());
        Assert.Equal(1, budget["spec"]!["minAvailable"]!.GetValue<long>());

        Assert.Single(Helm.Template(Helm.CipherNextHopMac, "operator.replicas=3").OfKind("PodDisruptionBudget"));
        Assert.Empty(Helm.Template(Helm.CipherNextHopMac, "operator.replicas=1").OfKind("PodDisruptionBudget"));
    }

    [Fact]
    public void The_metrics_service_exposes_the_operators_metrics_port_by_name()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "operator.metrics.port=9090");
        var service = rendered.Single("Service", "isthmus-metrics");
        var port = Assert.Single(service["spec"]!["ports"]!.AsArray())!;
        var containerPort = Assert.Single(rendered.OperatorContainer["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "metrics")!;

        Assert.Equal("metrics", port["name"]!.GetValue<string>());
        Assert.Equal(9090, port["port"]!.GetValue<long>());
        Assert.Equal("metrics", port["targetPort"]!.GetValue<string>());
        Assert.Equal(9090, containerPort["containerPort"]!.GetValue<long>());
        Assert.Equal("9090", rendered.OperatorFlag("--metrics-port"));
        Assert.False(Helm.Template(Helm.CipherNextHopMac, "operator.metrics.service.enabled=false").Has("Service", "isthmus-metrics"));
    }

    [Fact]
    public void The_install_notes_state_the_prerequisites()
    {
        var notes = Helm.Notes(Helm.CipherNextHopMac);

        Assert.Contains("pod-security.kubernetes.io/enforce=privileged", notes, StringComparison.Ordinal);
        Assert.Contains($"kubectl label namespace {Helm.Namespace}", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl label node NODE isthmus.dev/gateway=true", notes, StringComparison.Ordinal);
        Assert.Contains("512Mi of free 2Mi hugepages", notes, StringComparison.Ordinal);
        Assert.Contains("hugepages-2048kB", notes, StringComparison.Ordinal);
        Assert.Contains("kubectl label secret NAME -n NAMESPACE isthmus.dev/tunnel-secret=true", notes, StringComparison.Ordinal);
        Assert.Contains("ValidatingWebhookConfiguration isthmus, failurePolicy Fail", notes, StringComparison.Ordinal);
        Assert.Contains("While no operator replica is ready, creating or changing them is refused", notes, StringComparison.Ordinal);
        Assert.Contains("helm test isthmus", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void The_install_notes_follow_the_values()
    {
        var notes = Helm.Notes("dataplane.enabled=false", "webhook.failurePolicy=Ignore", "webhook.certManager.enabled=true");
        Assert.DoesNotContain("hugepages", notes, StringComparison.Ordinal);
        Assert.Contains("changes are admitted unchecked", notes, StringComparison.Ordinal);
        Assert.Contains("cert-manager", notes, StringComparison.Ordinal);

        Assert.Contains("No admission webhook", Helm.Notes("dataplane.enabled=false", "webhook.enabled=false"), StringComparison.Ordinal);
        Assert.Contains("hugepages-1048576kB", Helm.Notes(Helm.CipherNextHopMac, "dataplane.hugepages.size=1Gi", "dataplane.hugepages.amount=2Gi"), StringComparison.Ordinal);
    }

    private static JsonObject Values() => YamlDocuments.Load(Path.Combine(RepositoryPaths.Chart, "values.yaml")).OfType<JsonObject>().Single();
}
