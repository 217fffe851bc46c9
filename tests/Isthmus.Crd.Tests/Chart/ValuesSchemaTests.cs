using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// charts/isthmus/values.schema.json and the chart's cross-value checks, through the real helm: a typo or a
/// malformed value stops <c>helm template</c> (and so <c>helm install</c>) with a message that names the value, before
/// anything reaches the cluster or the operator's command line.
/// </summary>
public sealed class ValuesSchemaTests
{
    [Theory]
    // Typos: every object of the schema refuses keys it does not define.
    [InlineData("operatr.replicas=2", "operatr")]
    [InlineData("operator.replica=3", "replica")]
    [InlineData("operator.leaderElection.leaseDurations=20s", "leaseDurations")]
    [InlineData("webhook.certmanager.enabled=true", "certmanager")]
    [InlineData("dataplane.hugepages.sizes=1Gi", "sizes")]
    [InlineData("ike.resources.limit.memory=2Gi", "limit")]
    [InlineData("secrets.labelselector=a=b", "labelselector")]
    // Malformed values.
    [InlineData("dataplane.cipherNextHopMac=02:00:5e:00:01", "dataplane.cipherNextHopMac")]
    [InlineData("dataplane.clearNextHopMac=02-00-5e-00-01-09", "dataplane.clearNextHopMac")]
    [InlineData("dataplane.hugepages.size=4Mi", "dataplane.hugepages.size")]
    [InlineData("dataplane.hugepages.amount=lots", "dataplane.hugepages.amount")]
    [InlineData("dataplane.memory=256MB", "dataplane.memory")]
    [InlineData("dataplane.lcores=0;1", "dataplane.lcores")]
    [InlineData("dataplane.ports.cipher=eth0 eth1", "dataplane.ports.cipher")]
    [InlineData("operator.logFormat=xml", "operator.logFormat")]
    [InlineData("operator.logLevel=Verbose", "operator.logLevel")]
    [InlineData("operator.resync=10", "operator.resync")]
    [InlineData("operator.leaderElection.leaseDuration=15 s", "operator.leaderElection.leaseDuration")]
    [InlineData("secrets.unlabelledRecheck=soon", "secrets.unlabelledRecheck")]
    [InlineData("operator.metrics.port=70000", "operator.metrics.port")]
    [InlineData("operator.health.port=80", "operator.health.port")]
    [InlineData("webhook.port=0", "webhook.port")]
    [InlineData("operator.replicas=0", "operator.replicas")]
    [InlineData("operator.workers=0", "operator.workers")]
    [InlineData("ike.resources.requests.memory=1 GiB", "ike.resources.requests.memory")]
    [InlineData("ike.resources.requests.cpu=a lot", "ike.resources.requests.cpu")]
    [InlineData("operator.resources.limits.memory=big", "operator.resources.limits.memory")]
    [InlineData("operator.image.tag=v1:latest", "operator.image.tag")]
    [InlineData("dataplane.image.tag=-rc1", "dataplane.image.tag")]
    [InlineData("tests.image.tag=", "tests.image.tag")]
    [InlineData("image.pullPolicy=Sometimes", "image.pullPolicy")]
    [InlineData("webhook.failurePolicy=Retry", "webhook.failurePolicy")]
    [InlineData("webhook.timeoutSeconds=60", "webhook.timeoutSeconds")]
    [InlineData("webhook.enabled=yes", "webhook.enabled")]
    [InlineData("cryptoPolicy.forbiddenAlgorithms={AES128}", "cryptoPolicy.forbiddenAlgorithms")]
    [InlineData("operator.gatewayNodeLabel=gateway node", "operator.gatewayNodeLabel")]
    [InlineData("fullnameOverride=Isthmus_Prod", "fullnameOverride")]
    public void Helm_refuses_a_typo_or_bad_value_and_names_the_field(string set, string field)
    {
        var result = Helm.TryTemplate(Helm.CipherNextHopMac, set);

        Assert.False(result.Succeeded, $"helm accepted {set}");
        Assert.Contains("values don't meet the specifications of the schema", result.Error, StringComparison.Ordinal);
        Assert.Contains(field, result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("operator.leaderElection.enabled=false", "operator.replicas above 1 needs operator.leaderElection.enabled")]
    [InlineData("operator.health.port=8080", "operator.health.port must differ from operator.metrics.port")]
    [InlineData("webhook.port=8081", "webhook.port must differ from operator.metrics.port and operator.health.port")]
    public void Helm_refuses_values_that_contradict_each_other_and_names_them(string set, string message)
    {
        var result = Helm.TryTemplate(Helm.CipherNextHopMac, set);

        Assert.False(result.Succeeded, $"helm accepted {set}");
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Installing_without_the_cipher_next_hop_mac_stops_with_a_message_naming_the_value()
    {
        var result = Helm.TryTemplate();

        Assert.False(result.Succeeded);
        Assert.Contains("dataplane.cipherNextHopMac is required", result.Error, StringComparison.Ordinal);
        Assert.True(Helm.TryTemplate("dataplane.enabled=false").Succeeded);
    }

    [Theory]
    [InlineData("dataplane.hugepages.size=1Gi", "dataplane.hugepages.amount=2Gi")]
    [InlineData("dataplane.ports.host=net_tap0\\,iface=isthmus0")]
    [InlineData("ike.resources.limits.cpu=2", "ike.resources.requests.cpu=0.5", "ike.resources.requests.memory=1Gi", "ike.resources.limits.memory=4Gi")]
    [InlineData("cryptoPolicy.forbiddenAlgorithms={modp1024,3des}", "cryptoPolicy.forbidWeak=true")]
    [InlineData("secrets.labelSelector=team in (net\\, sec)", "secrets.unlabelledRecheck=5m30s")]
    [InlineData("operator.image.tag=0.2.0-rc.1", "tests.image.repository=docker.io/bitnami/kubectl", "tests.image.tag=1.32.3")]
    [InlineData("webhook.failurePolicy=Ignore", "webhook.timeoutSeconds=30")]
    public void Helm_accepts_well_formed_values(params string[] sets)
    {
        var result = Helm.TryTemplate([Helm.CipherNextHopMac, .. sets]);

        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void Every_object_the_schema_defines_refuses_unknown_keys()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Chart, "values.schema.json")))!.AsObject();
        Assert.Equal("http://json-schema.org/draft-07/schema#", schema["$schema"]!.GetValue<string>());

        var open = new List<string>();
        void Walk(JsonNode? node, string path)
        {
            if (node is JsonObject map)
            {
                var free = path.EndsWith("nodeSelector", StringComparison.Ordinal) || path.EndsWith("affinity", StringComparison.Ordinal) || path.EndsWith("tolerations/items", StringComparison.Ordinal);
                if (map["type"]?.GetValue<string>() == "object" && map["properties"] is not null && map["additionalProperties"]?.GetValue<bool>() != false && !free)
                {
                    open.Add(path);
                }
                foreach (var (key, value) in map)
                {
                    Walk(value, $"{path}/{key}");
                }
            }
            else if (node is JsonArray list)
            {
                foreach (var item in list)
                {
                    Walk(item, path);
                }
            }
        }
        Walk(schema, "");

        Assert.True(open.Count == 0, "objects without additionalProperties: false: " + string.Join(", ", open));
    }
}
