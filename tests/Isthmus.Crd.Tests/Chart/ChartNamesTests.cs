using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// nameOverride and fullnameOverride rename every object the chart renders, and every reference between them follows:
/// bindings and pods name ServiceAccounts that exist, the operator's flags name the objects the chart made for it,
/// and every selector selects the operator pods.
/// </summary>
public sealed class ChartNamesTests
{
    [Theory]
    [InlineData("isthmus-operator", new string[0])]
    [InlineData("isthmus-operator", new[] { "webhook.certManager.enabled=true" })]
    [InlineData("vpn-operator", new[] { "fullnameOverride=vpn" })]
    [InlineData("isthmus-ipsec-operator", new[] { "nameOverride=ipsec" })]
    [InlineData("edge-operator", new[] { "fullnameOverride=edge", "nameOverride=ipsec", "webhook.certManager.enabled=true" })]
    public void Every_name_and_reference_follows_the_overrides(string deployment, string[] sets)
    {
        var rendered = Helm.Template([Helm.CipherNextHopMac, .. sets]);
        var fullname = deployment[..^"-operator".Length];
        var name = sets.Select(s => s.Split('=', 2)).Where(p => p[0] == "nameOverride").Select(p => p[1]).SingleOrDefault() ?? "isthmus";

        // Every object carries the prefix and the chart's name label.
        foreach (var o in rendered.Objects)
        {
            var metadata = o["metadata"]!;
            Assert.StartsWith(fullname, metadata["name"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal(name, metadata["labels"]!["app.kubernetes.io/name"]!.GetValue<string>());
        }
        Assert.True(rendered.Has("Deployment", deployment));

        // ServiceAccounts: of the operator pods, the bindings and the operator's node components.
        var accounts = rendered.OfKind("ServiceAccount").Select(Name).ToHashSet();
        var pod = rendered.Single("Deployment")["spec"]!["template"]!["spec"]!;
        Assert.Contains(pod["serviceAccountName"]!.GetValue<string>(), accounts);
        Assert.Contains(rendered.OperatorFlag("--ike-service-account")!, accounts);
        Assert.Contains(rendered.OperatorFlag("--dataplane-service-account")!, accounts);
        Assert.Contains(rendered.Single("Pod")["spec"]!["serviceAccountName"]!.GetValue<string>(), accounts);
        foreach (var binding in rendered.Objects.Where(o => o["kind"]!.GetValue<string>().EndsWith("Binding", StringComparison.Ordinal)))
        {
            Assert.True(rendered.Has(binding["roleRef"]!["kind"]!.GetValue<string>(), binding["roleRef"]!["name"]!.GetValue<string>()), $"{Name(binding)} refers to a role that is not rendered");
            Assert.All(binding["subjects"]!.AsArray(), s => Assert.Contains(s!["name"]!.GetValue<string>(), accounts));
        }

        // The webhook: the Service and the configuration the operator is told about are the rendered ones.
        var webhook = rendered.Single("ValidatingWebhookConfiguration");
        var service = rendered.Single("Service", $"{fullname}-webhook");
        Assert.All(webhook["webhooks"]!.AsArray(), w => Assert.Equal(Name(service), w!["clientConfig"]!["service"]!["name"]!.GetValue<string>()));
        if (sets.Contains("webhook.certManager.enabled=true"))
        {
            var certificate = rendered.Single("Certificate");
            Assert.Equal($"{Helm.Namespace}/{Name(certificate)}", webhook["metadata"]!["annotations"]!["cert-manager.io/inject-ca-from"]!.GetValue<string>());
            Assert.Equal(rendered.Single("Issuer")["metadata"]!["name"]!.GetValue<string>(), certificate["spec"]!["issuerRef"]!["name"]!.GetValue<string>());
            var volume = Assert.Single(pod["volumes"]!.AsArray());
            Assert.Equal(certificate["spec"]!["secretName"]!.GetValue<string>(), volume!["secret"]!["secretName"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal(Name(service), rendered.OperatorFlag("--webhook-service"));
            Assert.Equal(Name(webhook), rendered.OperatorFlag("--webhook-configuration"));
            Assert.Equal($"{fullname}-webhook-tls", rendered.OperatorFlag("--webhook-cert-secret"));
        }

        // Selectors of the Deployment, its Services and its PodDisruptionBudget select the operator pods.
        var podLabels = rendered.Single("Deployment")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        var selectors = new List<JsonObject>
        {
            rendered.Single("Deployment")["spec"]!["selector"]!["matchLabels"]!.AsObject(),
            rendered.Single("PodDisruptionBudget")["spec"]!["selector"]!["matchLabels"]!.AsObject(),
        };
        selectors.AddRange(rendered.OfKind("Service").Select(s => s["spec"]!["selector"]!.AsObject()));
        Assert.Equal(4, selectors.Count);
        foreach (var selector in selectors)
        {
            Assert.All(selector, label => Assert.Equal(label.Value!.GetValue<string>(), podLabels[label.Key]?.GetValue<string>()));
            Assert.Equal("operator", selector["app.kubernetes.io/component"]!.GetValue<string>());
        }
    }

    [Fact]
    public void A_release_named_after_the_chart_is_not_prefixed_twice()
    {
        Assert.True(Helm.Template(Helm.CipherNextHopMac).Has("Deployment", "isthmus-operator"));
        Assert.True(Helm.Template(Helm.CipherNextHopMac, "nameOverride=isth").Has("Deployment", "isthmus-operator"));
    }

    [Fact]
    public void Service_names_stay_valid_dns_labels_for_the_longest_override()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac, "fullnameOverride=" + new string('a', 50));

        Assert.All(rendered.OfKind("Service"), s => Assert.InRange(Name(s).Length, 1, 63));
    }

    private static string Name(JsonObject o) => o["metadata"]!["name"]!.GetValue<string>();
}
