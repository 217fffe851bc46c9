using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// The RBAC contract: the Roles and ClusterRoles <c>helm template</c> renders are exactly the rows of the table in
/// charts/isthmus/RBAC.md whose <c>when</c> column holds for the values, for the default values and for every value
/// that switches rows on or off; and no row is broader than the components' calls need.
/// </summary>
public sealed class RbacTableTests
{
    /// <summary>One grant: a rule reduced to one apiGroup and one resource (a rule with several becomes several).</summary>
    private sealed record Grant(string Component, string Kind, string ApiGroup, string Resource, string ResourceNames, string Verbs);

    private sealed record Row(Grant Grant, string When);

    private static string Sorted(IEnumerable<string> items) => string.Join(", ", items.Order(StringComparer.Ordinal));

    private static List<Grant> RenderedGrants(Rendered rendered)
    {
        var grants = new List<Grant>();
        foreach (var role in rendered.Objects.Where(o => o["kind"]?.GetValue<string>() is "ClusterRole" or "Role"))
        {
            var component = role["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>();
            foreach (var rule in role["rules"]!.AsArray())
            {
                var verbs = Sorted(rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()));
                var names = Sorted(rule["resourceNames"]?.AsArray().Select(n => n!.GetValue<string>()) ?? []);
                foreach (var group in rule["apiGroups"]!.AsArray())
                {
                    foreach (var resource in rule["resources"]!.AsArray())
                    {
                        grants.Add(new Grant(component, role["kind"]!.GetValue<string>(), group!.GetValue<string>(), resource!.GetValue<string>(), names, verbs));
                    }
                }
            }
        }
        return grants;
    }

    /// <summary>The table's rows, with <c>&lt;fullname&gt;</c> and <c>&lt;leaseName&gt;</c> as rendered.</summary>
    private static List<Row> DocumentedRows(string fullname, string leaseName)
    {
        var rows = new List<Row>();
        var header = true;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.Chart, "RBAC.md")))
        {
            if (!line.StartsWith("| ", StringComparison.Ordinal))
            {
                header = rows.Count == 0;
                if (!header)
                {
                    break; // the first table ends; the call tables below are prose
                }
                continue;
            }
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells[0] is "component" || cells[0].StartsWith("---", StringComparison.Ordinal) || cells[1] == "none")
            {
                continue;
            }
            Assert.True(cells.Length == 8, $"RBAC.md row with {cells.Length} cells: {line}");
            var kind = cells[1].StartsWith("ClusterRole", StringComparison.Ordinal) ? "ClusterRole" : "Role";
            var names = Sorted(cells[4].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(n => n.Trim('`').Replace("<fullname>", fullname, StringComparison.Ordinal).Replace("<leaseName>", leaseName, StringComparison.Ordinal)));
            var verbs = Sorted(cells[5].Split(',', StringSplitOptions.TrimEntries));
            rows.Add(new Row(new Grant(cells[0], kind, cells[2] == "core" ? "" : cells[2], cells[3], names, verbs), cells[6]));
        }
        return rows;
    }

    /// <summary>Whether a row's <c>when</c> holds for the values.</summary>
    private static bool Holds(string when, bool leaderElection, bool dataplane, bool webhook, bool certManager) => when switch
    {
        "always" => true,
        "leader election" => leaderElection,
        "dataplane" => dataplane,
        "webhook, own CA" => webhook && !certManager,
        _ => throw new InvalidOperationException($"RBAC.md: unknown 'when' value '{when}'"),
    };

    private static readonly string[][] Sets =
    [
        [Helm.CipherNextHopMac],
        ["dataplane.enabled=false"],
        [Helm.CipherNextHopMac, "webhook.certManager.enabled=true"],
        [Helm.CipherNextHopMac, "webhook.enabled=false"],
        [Helm.CipherNextHopMac, "operator.replicas=1", "operator.leaderElection.enabled=false"],
        [Helm.CipherNextHopMac, "operator.leaderElection.leaseName=edge-leader", "fullnameOverride=edge"],
    ];

    public static TheoryData<string[]> ValueSets => new(Sets);

    [Theory]
    [MemberData(nameof(ValueSets))]
    public void Rendered_roles_grant_exactly_the_rows_of_the_table_that_apply(string[] sets)
    {
        var rendered = Helm.Template(sets);
        var fullname = rendered.Single("Deployment")["metadata"]!["name"]!.GetValue<string>()[..^"-operator".Length];
        bool Value(string key, bool byDefault) => sets.Contains($"{key}={(byDefault ? "false" : "true")}") ? !byDefault : byDefault;
        var lease = sets.Select(s => s.Split('=', 2)).Where(p => p[0] == "operator.leaderElection.leaseName").Select(p => p[1]).SingleOrDefault() ?? "isthmus-operator";
        var expected = DocumentedRows(fullname, lease)
            .Where(r => Holds(r.When, Value("operator.leaderElection.enabled", true), Value("dataplane.enabled", true), Value("webhook.enabled", true), Value("webhook.certManager.enabled", false)))
            .Select(r => r.Grant)
            .ToList();
        var granted = RenderedGrants(rendered);

        Assert.NotEmpty(expected);
        Assert.Equal(granted.Count, granted.Distinct().Count());
        Assert.True(granted.ToHashSet().SetEquals(expected),
            "rendered but not in RBAC.md: " + string.Join("; ", granted.Except(expected)) +
            "\nin RBAC.md but not rendered: " + string.Join("; ", expected.Except(granted)));
    }

    [Fact]
    public void Every_row_of_the_table_is_rendered_by_some_value_set()
    {
        var rendered = Sets.Where(sets => !sets.Any(s => s.StartsWith("fullnameOverride=", StringComparison.Ordinal)))
            .SelectMany(sets => RenderedGrants(Helm.Template(sets))).ToHashSet();

        Assert.All(DocumentedRows("isthmus", "isthmus-operator"), row => Assert.Contains(row.Grant, rendered));
    }

    [Fact]
    public void No_rule_has_wildcards_or_privilege_escalation_verbs()
    {
        foreach (var grant in RenderedGrants(Helm.Template(Helm.CipherNextHopMac)))
        {
            Assert.DoesNotContain("*", grant.Verbs);
            Assert.NotEqual("*", grant.Resource);
            Assert.NotEqual("*", grant.ApiGroup);
            Assert.DoesNotMatch("escalate|bind|impersonate", grant.Verbs);
        }
    }

    [Fact]
    public void Secrets_are_written_only_in_the_release_namespace_and_never_read_by_the_ike_pod()
    {
        var grants = RenderedGrants(Helm.Template(Helm.CipherNextHopMac));

        foreach (var grant in grants.Where(g => g.Resource == "secrets"))
        {
            Assert.Equal("operator", grant.Component);
            if (grant.Kind == "ClusterRole")
            {
                Assert.Equal("get, list, watch", grant.Verbs);
            }
        }
        Assert.All(grants.Where(g => g.Component == "ike"), g => Assert.Contains(g.Resource, (string[])["ipsectunnels/status", "events"]));
    }

    [Fact]
    public void The_custom_resources_are_never_updated_and_only_tunnels_are_patched_for_the_finalizer()
    {
        var grants = RenderedGrants(Helm.Template(Helm.CipherNextHopMac)).Where(g => g.ApiGroup == "ipsec.isthmus.dev").ToList();

        Assert.DoesNotContain(grants, g => g.Resource is "ipsectunnels" or "trafficselectors" && g.Verbs.Contains("update", StringComparison.Ordinal));
        Assert.DoesNotContain(grants, g => g.Resource == "trafficselectors" && g.Verbs != "list, watch");
        // The finalizer is a merge patch of metadata.finalizers on the object: patch on ipsectunnels itself.
        Assert.Contains(grants, g => g is { Component: "operator", Resource: "ipsectunnels" } && g.Verbs.Split(", ").Contains("patch"));
        Assert.DoesNotContain(grants, g => g.Resource == "ipsectunnels/finalizers");
    }

    [Fact]
    public void The_webhook_configuration_and_the_lease_are_granted_by_name_only()
    {
        var grants = RenderedGrants(Helm.Template(Helm.CipherNextHopMac));

        var webhook = Assert.Single(grants, g => g.Resource == "validatingwebhookconfigurations");
        Assert.Equal("isthmus", webhook.ResourceNames);
        Assert.Equal("isthmus", Helm.Template(Helm.CipherNextHopMac).Single("ValidatingWebhookConfiguration")["metadata"]!["name"]!.GetValue<string>());
        Assert.All(grants.Where(g => g.Resource == "leases" && g.Verbs != "create"), g => Assert.Equal("isthmus-operator", g.ResourceNames));
        Assert.Equal("isthmus-operator", Helm.Template(Helm.CipherNextHopMac).OperatorFlag("--lease-name"));
    }

    [Fact]
    public void The_test_pod_may_read_only_the_two_crds_and_the_operator_deployment()
    {
        var grants = RenderedGrants(Helm.Template(Helm.CipherNextHopMac)).Where(g => g.Component == "test").ToList();

        Assert.Equal(2, grants.Count);
        Assert.All(grants, g => Assert.Equal("get, list, watch", g.Verbs));
        Assert.Contains(new Grant("test", "ClusterRole", "apiextensions.k8s.io", "customresourcedefinitions", "ipsectunnels.ipsec.isthmus.dev, trafficselectors.ipsec.isthmus.dev", "get, list, watch"), grants);
        Assert.Contains(new Grant("test", "Role", "apps", "deployments", "isthmus-operator", "get, list, watch"), grants);
    }

    [Fact]
    public void Every_role_is_bound_to_its_components_service_account_only()
    {
        var rendered = Helm.Template(Helm.CipherNextHopMac);
        var accounts = rendered.OfKind("ServiceAccount").Select(a => a["metadata"]!["name"]!.GetValue<string>()).ToHashSet();

        foreach (var binding in rendered.Objects.Where(o => o["kind"]?.GetValue<string>() is "ClusterRoleBinding" or "RoleBinding"))
        {
            var roleRef = binding["roleRef"]!;
            var role = rendered.Single(roleRef["kind"]!.GetValue<string>(), roleRef["name"]!.GetValue<string>());
            var subject = Assert.Single(binding["subjects"]!.AsArray())!;
            Assert.Equal("ServiceAccount", subject["kind"]!.GetValue<string>());
            Assert.Equal(Helm.Namespace, subject["namespace"]!.GetValue<string>());
            Assert.Contains(subject["name"]!.GetValue<string>(), accounts);
            var component = role["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>();
            Assert.EndsWith("-" + component, subject["name"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }
}
