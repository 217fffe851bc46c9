using System.Net;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using Isthmus.Testing;
using k8s;
using k8s.Autorest;

namespace Isthmus.Operator.IntegrationTests.Scenarios;

/// <summary>
/// The admission webhook end to end: the chart's ValidatingWebhookConfiguration, the operators serving it with the
/// CA they manage, the API server calling it over TLS, and what a user sees at <c>kubectl apply</c>.
/// </summary>
public sealed class AdmissionScenarios
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A tunnel whose spec only the operator's validator can judge: AEAD with an integrity algorithm.</summary>
    private static JsonObject AeadWithIntegrity(string name)
    {
        var tunnel = OperatorCluster.Tunnel(name);
        tunnel["spec"]!["ike"]!["proposals"] = new JsonArray("aes256gcm16-sha256-prfsha256-ecp384");
        return tunnel;
    }

    private static async Task WebhookReadyAsync(OperatorCluster cluster)
    {
        await cluster.Eventually(() =>
            cluster.Api.Store.Read(ApiResources.ValidatingWebhookConfigurations, null, OperatorCluster.WebhookConfiguration)?["webhooks"] is JsonArray hooks
            && hooks.All(h => h?["clientConfig"]?["caBundle"] is JsonValue), "the operator injected its CA into the webhook configuration", 30);
    }

    [Fact]
    public async Task Kubectl_apply_of_an_invalid_tunnel_is_refused_with_the_message_of_its_condition()
    {
        await using var cluster = await OperatorCluster.StartAsync(tls: true);
        cluster.StartOperator("op-0");
        await WebhookReadyAsync(cluster);
        var home = Directory.CreateTempSubdirectory("isthmus-kubectl-");
        try
        {
            var kubeconfig = cluster.Api.WriteKubeconfig(Path.Combine(home.FullName, "kubeconfig"), token: cluster.Api.IssueToken(UserInfo.Admin));
            var file = Path.Combine(home.FullName, "tunnel.yaml");
            await File.WriteAllTextAsync(file, AeadWithIntegrity("aead-plus-integrity").ToJsonString(), Ct);

            var (exit, output) = await Kubectl.RunAsync(kubeconfig, Ct, "apply", "--validate=false", "-f", file);
            TestContext.Current.TestOutputHelper?.WriteLine("$ kubectl apply -f tunnel.yaml\n" + output);

            Assert.NotEqual(0, exit);
            Assert.Contains("admission webhook \"ipsectunnels.validate.ipsec.isthmus.dev\" denied the request: spec.ike.proposals[0]:", output);
            Assert.Null(cluster.Tunnel("aead-plus-integrity"));

            // The same spec, written where the webhook cannot see it, gets the same words in Accepted=False.
            var message = output[(output.IndexOf("denied the request: ", StringComparison.Ordinal) + "denied the request: ".Length)..].Trim();
            cluster.Api.Store.Seed(AeadWithIntegrity("aead-plus-integrity"));
            await cluster.Eventually(() => OperatorCluster.Condition(cluster.Tunnel("aead-plus-integrity"), "Accepted") == "False", "Accepted=False");
            var condition = (cluster.Tunnel("aead-plus-integrity")!["status"]!["conditions"] as JsonArray)!.OfType<JsonObject>().Single(c => (string?)c["type"] == "Accepted");
            Assert.Equal(message, condition["message"]!.GetValue<string>());
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Kubectl_apply_refuses_every_invalid_example_with_the_message_its_header_expects()
    {
        await using var cluster = await OperatorCluster.StartAsync(tls: true);
        cluster.StartOperator("op-0");
        await WebhookReadyAsync(cluster);
        var home = Directory.CreateTempSubdirectory("isthmus-kubectl-");
        try
        {
            var kubeconfig = cluster.Api.WriteKubeconfig(Path.Combine(home.FullName, "kubeconfig"), token: cluster.Api.IssueToken(UserInfo.Admin));
            var checkedFiles = 0;
            foreach (var file in Directory.EnumerateFiles(RepositoryPaths.InvalidExamples, "*.yaml").Order(StringComparer.Ordinal))
            {
                var header = File.ReadLines(file).TakeWhile(l => l.StartsWith('#')).ToList();
                var expect = header.Single(l => l.StartsWith("# expect: ", StringComparison.Ordinal))["# expect: ".Length..];
                var refusedBy = header.Single(l => l.StartsWith("# refused-by: ", StringComparison.Ordinal))["# refused-by: ".Length..];
                if (Path.GetFileName(file) == "unknown-field.yaml")
                {
                    // kubectl --validate=false (the double serves no OpenAPI) sends fieldValidation=Ignore: the
                    // misspelt field is pruned, as a real server prunes it for such a client.
                    continue;
                }

                var (exit, output) = await Kubectl.RunAsync(kubeconfig, Ct, "apply", "--validate=false", "-f", file);

                Assert.True(exit != 0, $"{Path.GetFileName(file)} was applied: {output}");
                Assert.True(output.Contains(expect, StringComparison.Ordinal), $"{Path.GetFileName(file)}: expected\n  {expect}\nin\n  {output}");
                Assert.Equal(refusedBy == "webhook", output.Contains("admission webhook", StringComparison.Ordinal));
                checkedFiles++;
            }
            Assert.True(checkedFiles >= 30, $"only {checkedFiles} invalid examples checked");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Kubectl_prints_the_webhooks_weak_crypto_warning_and_the_tunnel_is_created()
    {
        await using var cluster = await OperatorCluster.StartAsync(tls: true);
        cluster.StartOperator("op-0");
        await WebhookReadyAsync(cluster);
        var home = Directory.CreateTempSubdirectory("isthmus-kubectl-");
        try
        {
            var kubeconfig = cluster.Api.WriteKubeconfig(Path.Combine(home.FullName, "kubeconfig"), token: cluster.Api.IssueToken(UserInfo.Admin));
            var tunnel = OperatorCluster.Tunnel("legacy-peer");
            tunnel["spec"]!["ike"]!["proposals"] = new JsonArray("aes128-sha1-modp1024");
            var file = Path.Combine(home.FullName, "tunnel.yaml");
            await File.WriteAllTextAsync(file, tunnel.ToJsonString(), Ct);

            var (exit, output) = await Kubectl.RunAsync(kubeconfig, Ct, "apply", "--validate=false", "-f", file);

            Assert.True(exit == 0, output);
            Assert.Contains("Warning: spec.ike.proposals[0] 'aes128-sha1-modp1024' uses weak algorithms", output);
            await cluster.Eventually(() => OperatorCluster.Converged(cluster.Tunnel("legacy-peer")), "the tunnel converges");
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Both_replicas_serve_the_webhook_with_one_certificate_and_the_standby_answers_alone()
    {
        await using var cluster = await OperatorCluster.StartAsync();
        var first = cluster.StartOperator("op-a");
        await WebhookReadyAsync(cluster);
        cluster.StartOperator("op-b");
        await cluster.Eventually(() => cluster.Logs.Lines.Count(l => l.Contains("Serving the admission webhook")) == 2, "both replicas serve the webhook");
        var secret = cluster.Api.Store.Read(ApiResources.Secrets, OperatorCluster.OperatorNamespace, OperatorCluster.WebhookService + "-tls")!;
        var bundle = cluster.Api.Store.Read(ApiResources.ValidatingWebhookConfigurations, null, OperatorCluster.WebhookConfiguration)!["webhooks"]![0]!["clientConfig"]!["caBundle"]!.GetValue<string>();
        Assert.Equal(secret["data"]!["ca.crt"]!.GetValue<string>(), bundle);

        // op-a (registered first behind the Service) stops: calls reach op-b, the standby.
        await cluster.StopOperatorAsync(first);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(AeadWithIntegrity("refused-by-standby"), "ipsec.isthmus.dev", "v1alpha1", "default", "ipsectunnels", cancellationToken: Ct));
        Assert.True(e.Response.StatusCode == HttpStatusCode.UnprocessableEntity, e.Response.Content);
        Assert.Contains("denied the request", e.Response.Content);
    }

    [Fact]
    public async Task With_no_operator_serving_the_webhook_a_create_fails_closed_and_says_why()
    {
        await using var cluster = await OperatorCluster.StartAsync();
        var only = cluster.StartOperator("op-0");
        await WebhookReadyAsync(cluster);
        await cluster.StopOperatorAsync(only);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(OperatorCluster.Tunnel("while-down"), "ipsec.isthmus.dev", "v1alpha1", "default", "ipsectunnels", cancellationToken: Ct));

        Assert.Equal(HttpStatusCode.InternalServerError, e.Response.StatusCode);
        Assert.Contains("failed calling webhook", e.Response.Content);
        Assert.Null(cluster.Tunnel("while-down"));
    }

    [Fact]
    public async Task A_caBundle_reset_by_an_upgrade_is_written_back()
    {
        await using var cluster = await OperatorCluster.StartAsync();
        cluster.StartOperator("op-0");
        await WebhookReadyAsync(cluster);

        // What re-applying the chart's template does: the configuration without caBundle.
        cluster.Api.Store.Mutate(ApiResources.ValidatingWebhookConfigurations, null, OperatorCluster.WebhookConfiguration, c =>
        {
            foreach (var hook in (c["webhooks"] as JsonArray)!.OfType<JsonObject>())
            {
                ((JsonObject)hook["clientConfig"]!).Remove("caBundle");
            }
        });

        await WebhookReadyAsync(cluster);
    }
}
