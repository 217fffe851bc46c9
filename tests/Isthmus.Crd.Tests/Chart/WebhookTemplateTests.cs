using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// The admission webhook's plumbing as rendered: one validating webhook per kind behind the <c>&lt;fullname&gt;-webhook</c>
/// Service, which reaches the <c>webhook</c> port of every operator pod; no caBundle in the manifest (the operator or
/// cert-manager injects it); the cert-manager mode's Issuer, Certificate, annotation and mounted key pair; and nothing
/// of it when the webhook is off.
/// </summary>
public sealed class WebhookTemplateTests
{
    [Fact]
    public void Each_kind_gets_a_webhook_on_create_and_update_with_the_values_policy_and_timeout()
    {
        var configuration = Helm.Template(Helm.CipherNextHopMac).Single("ValidatingWebhookConfiguration", "isthmus");
        var webhooks = configuration["webhooks"]!.AsArray().Select(w => w!.AsObject()).ToList();

        Assert.Equal(["ipsectunnels.validate.ipsec.isthmus.dev", "trafficselectors.validate.ipsec.isthmus.dev"], webhooks.Select(w => w["name"]!.GetValue<string>()));
        foreach (var webhook in webhooks)
        {
            var plural = webhook["name"]!.GetValue<string>().Split('.')[0];
            Assert.Equal(["v1"], Strings(webhook["admissionReviewVersions"]));
            Assert.Equal("None", webhook["sideEffects"]!.GetValue<string>());
            Assert.Equal("Equivalent", webhook["matchPolicy"]!.GetValue<string>());
            Assert.Equal("Fail", webhook["failurePolicy"]!.GetValue<string>());
            Assert.Equal(5, webhook["timeoutSeconds"]!.GetValue<long>());
            var client = webhook["clientConfig"]!.AsObject();
            Assert.Null(client["caBundle"]);
            Assert.Equal(("isthmus-webhook", Helm.Namespace, $"/validate/{plural}", 443L),
                (client["service"]!["name"]!.GetValue<string>(), client["service"]!["namespace"]!.GetValue<string>(), client["service"]!["path"]!.GetValue<string>(), client["service"]!["port"]!.GetValue<long>()));
            var rule = Assert.Single(webhook["rules"]!.AsArray())!;
            Assert.Equal(["ipsec.isthmus.dev"], Strings(rule["apiGroups"]));
            Assert.Equal(["CREATE", "UPDATE"], Strings(rule["operations"]));
            // The kind itself, not its status subresource: status writes never wait for the webhook.
            Assert.Equal([plural], Strings(rule["resources"]));
        }

        var ignore = Helm.Template(Helm.CipherNextHopMac, "webhook.failurePolicy=Ignore", "webhook.timeoutSeconds=10").Single("ValidatingWebhookConfiguration");
        Assert.All(ignore["webhooks"]!.AsArray(), w => Assert.Equal(("Ignore", 10L), (w!["failurePolicy"]!.GetValue<string>(), w["timeoutSeconds"]!.GetValue<long>())));
    }

    [Fact]
    public void The_webhook_service_sends_port_443_to_the_webhook_port_of_every_operator_pod()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "webhook.port=10250");
        var service = rendered.Single("Service", "isthmus-webhook");
        var port = Assert.Single(service["spec"]!["ports"]!.AsArray())!;
        var containerPorts = rendered.OperatorContainer["ports"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!["containerPort"]!.GetValue<long>());

        Assert.Equal((443L, "webhook"), (port["port"]!.GetValue<long>(), port["targetPort"]!.GetValue<string>()));
        Assert.Equal(10250, containerPorts["webhook"]);
        Assert.Equal("10250", rendered.OperatorFlag("--webhook-port"));
        // Leader or not: the selector has no notion of leadership, every ready replica answers.
        Assert.Equal(rendered.Single("Deployment")["spec"]!["selector"]!["matchLabels"]!.ToJsonString(), service["spec"]!["selector"]!.ToJsonString());
    }

    [Fact]
    public void Without_cert_manager_the_operator_is_told_its_service_configuration_and_secret_and_mounts_nothing()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac);

        Assert.Equal("isthmus-webhook", rendered.OperatorFlag("--webhook-service"));
        Assert.Equal("isthmus", rendered.OperatorFlag("--webhook-configuration"));
        Assert.Equal("isthmus-webhook-tls", rendered.OperatorFlag("--webhook-cert-secret"));
        Assert.Null(rendered.OperatorFlag("--webhook-cert-dir"));
        Assert.Null(rendered.OperatorContainer["volumeMounts"]);
        Assert.Empty(rendered.OfKind("Certificate"));
        Assert.Null(rendered.Single("ValidatingWebhookConfiguration")["metadata"]!["annotations"]);
    }

    [Fact]
    public void With_cert_manager_a_self_signed_certificate_for_the_service_names_is_mounted_and_its_ca_injected()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "webhook.certManager.enabled=true");
        var issuer = rendered.Single("Issuer");
        var certificate = rendered.Single("Certificate", "isthmus-webhook");
        const string svc = "isthmus-webhook";

        Assert.NotNull(issuer["spec"]!["selfSigned"]);
        Assert.Equal([svc, $"{svc}.{Helm.Namespace}", $"{svc}.{Helm.Namespace}.svc", $"{svc}.{Helm.Namespace}.svc.cluster.local"], Strings(certificate["spec"]!["dnsNames"]));
        Assert.Equal("isthmus-webhook-tls", certificate["spec"]!["secretName"]!.GetValue<string>());
        Assert.Equal($"{Helm.Namespace}/isthmus-webhook",
            rendered.Single("ValidatingWebhookConfiguration")["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());

        var mount = Assert.Single(rendered.OperatorContainer["volumeMounts"]!.AsArray())!;
        Assert.Equal("/var/run/isthmus/webhook-tls", mount["mountPath"]!.GetValue<string>());
        Assert.True(mount["readOnly"]!.GetValue<bool>());
        Assert.Equal(mount["mountPath"]!.GetValue<string>(), rendered.OperatorFlag("--webhook-cert-dir"));
        foreach (var flag in (string[])["--webhook-service", "--webhook-configuration", "--webhook-cert-secret"])
        {
            Assert.Null(rendered.OperatorFlag(flag));
        }
    }

    [Fact]
    public void A_disabled_webhook_renders_no_configuration_service_port_or_grant_and_turns_the_operator_port_off()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "webhook.enabled=false", "webhook.certManager.enabled=true");

        Assert.Empty(rendered.OfKind("ValidatingWebhookConfiguration"));
        Assert.False(rendered.Has("Service", "isthmus-webhook"));
        Assert.Empty(rendered.OfKind("Certificate"));
        Assert.DoesNotContain(rendered.OperatorContainer["ports"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "webhook");
        Assert.Equal("0", rendered.OperatorFlag("--webhook-port"));
        Assert.DoesNotContain(rendered.OperatorArgs, a => a.StartsWith("--webhook-", StringComparison.Ordinal) && a != "--webhook-port=0");
        Assert.DoesNotContain(rendered.OfKind("ClusterRole").SelectMany(r => r["rules"]!.AsArray()),
            rule => Strings(rule!["resources"]).Contains("validatingwebhookconfigurations"));
    }

    [Fact]
    public void The_crypto_policy_reaches_the_operator_as_repeated_flags()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "cryptoPolicy.forbidWeak=true", "cryptoPolicy.forbiddenAlgorithms={modp2048,aes128}");

        Assert.Equal("true", rendered.OperatorFlag("--forbid-weak-crypto"));
        Assert.Equal(["--forbid-algorithm=modp2048", "--forbid-algorithm=aes128"], rendered.OperatorArgs.Where(a => a.StartsWith("--forbid-algorithm", StringComparison.Ordinal)));
        Assert.Equal("false", Helm.Template(Helm.CipherNextHopMac).OperatorFlag("--forbid-weak-crypto"));
    }

    private static List<string> Strings(JsonNode? list) => list!.AsArray().Select(n => n!.GetValue<string>()).ToList();
}
