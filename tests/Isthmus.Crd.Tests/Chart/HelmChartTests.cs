using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// Checks of charts/isthmus without helm (not installed here): the plain YAML parses, and the RBAC the
/// templates grant is exactly the table in RBAC.md, least privilege. Template expressions are replaced
/// by a placeholder and template-only lines dropped, so the structure of each template is what is read.
/// </summary>
public sealed partial class HelmChartTests
{
    private static string ChartFile(string relative) => Path.Combine(RepositoryPaths.Chart, relative);

    private static JsonObject Yaml(string relative) => YamlDocuments.Load(ChartFile(relative)).OfType<JsonObject>().Single();

    /// <summary>The documents of a template with its Go-template parts neutralised.</summary>
    private static List<JsonObject> Template(string relative)
    {
        var lines = File.ReadAllLines(ChartFile(relative))
            .Where(l => !TemplateOnlyLine().IsMatch(l))
            .Select(l => TemplateExpression().Replace(l, "TEMPLATED"));
        return YamlDocuments.Parse(string.Join('\n', lines)).OfType<JsonObject>().ToList();
    }

    private sealed record Grant(string Component, string Kind, string ApiGroup, string Resource, string Verbs);

    private static IEnumerable<Grant> TemplateGrants()
    {
        foreach (var file in new[] { "templates/rbac-operator.yaml", "templates/rbac-ike.yaml" })
        {
            foreach (var doc in Template(file).Where(d => d["kind"]?.GetValue<string>() is "ClusterRole" or "Role"))
            {
                var component = doc["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>();
                foreach (var rule in doc["rules"]!.AsArray())
                {
                    var verbs = string.Join(", ", rule!["verbs"]!.AsArray().Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal));
                    foreach (var group in rule["apiGroups"]!.AsArray())
                    {
                        foreach (var resource in rule["resources"]!.AsArray())
                        {
                            yield return new Grant(component, doc["kind"]!.GetValue<string>(), group!.GetValue<string>(), resource!.GetValue<string>(), verbs);
                        }
                    }
                }
            }
        }
    }

    private static IEnumerable<Grant> DocumentedGrants()
    {
        foreach (var line in File.ReadLines(ChartFile("RBAC.md")).Where(l => l.StartsWith("| ", StringComparison.Ordinal)))
        {
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells[0] is "component" || cells[0].StartsWith("---", StringComparison.Ordinal) || cells[1] == "none")
            {
                continue;
            }
            var kind = cells[1].StartsWith("ClusterRole", StringComparison.Ordinal) ? "ClusterRole" : "Role";
            var verbs = string.Join(", ", cells[4].Split(',').Select(v => v.Trim()).Order(StringComparer.Ordinal));
            yield return new Grant(cells[0], kind, cells[2] == "core" ? "" : cells[2], cells[3], verbs);
        }
    }

    [Fact]
    public void Chart_metadata_and_values_parse()
    {
        var chart = Yaml("Chart.yaml");
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("isthmus", chart["name"]!.GetValue<string>());

        var values = Yaml("values.yaml");
        Assert.Equal(2L, values["operator"]!["replicas"]!.GetValue<long>());
        Assert.True(values["operator"]!["leaderElection"]!["enabled"]!.GetValue<bool>());
        Assert.NotNull(values["dataplane"]!["hugepages"]!["amount"]);
        Assert.NotNull(values["dataplane"]!["cryptoDevice"]);
        Assert.NotNull(values["dataplane"]!["ports"]!["clear"]);
        Assert.NotNull(values["dataplane"]!["ports"]!["cipher"]);
        Assert.NotNull(values["ike"]!["image"]!["repository"]);
    }

    [Fact]
    public void Every_value_is_read_by_a_template()
    {
        // A value no template reads is a setting that silently does nothing.
        var templates = string.Concat(Directory.GetFiles(ChartFile("templates")).Select(File.ReadAllText));
        var unused = Leaves(Yaml("values.yaml"), "", templates).Where(path => !IsRead(templates, path)).ToList();
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
    public void Every_template_is_yaml_once_template_expressions_are_neutralised()
    {
        foreach (var file in Directory.GetFiles(ChartFile("templates"), "*.yaml"))
        {
            var docs = Template(Path.GetRelativePath(RepositoryPaths.Chart, file));
            Assert.NotEmpty(docs);
            Assert.All(docs, d => Assert.NotNull(d["kind"]));
        }
    }

    [Fact]
    public void Rbac_templates_grant_exactly_the_documented_table()
    {
        var granted = TemplateGrants().ToHashSet();
        var documented = DocumentedGrants().ToHashSet();
        Assert.NotEmpty(documented);
        Assert.True(granted.SetEquals(documented),
            "granted but not in RBAC.md: " + string.Join("; ", granted.Except(documented)) +
            "\nin RBAC.md but not granted: " + string.Join("; ", documented.Except(granted)));
    }

    [Fact]
    public void Rbac_has_no_wildcards_or_privilege_escalation_verbs()
    {
        foreach (var grant in TemplateGrants())
        {
            Assert.DoesNotContain("*", grant.Verbs);
            Assert.NotEqual("*", grant.Resource);
            Assert.NotEqual("*", grant.ApiGroup);
            Assert.DoesNotMatch("escalate|bind|impersonate", grant.Verbs);
        }
    }

    [Fact]
    public void Secrets_are_written_only_in_the_release_namespace_and_never_by_the_ike_pod()
    {
        foreach (var grant in TemplateGrants().Where(g => g.Resource == "secrets"))
        {
            Assert.Equal("operator", grant.Component);
            if (grant.Kind == "ClusterRole")
            {
                Assert.Equal("get, list, watch", grant.Verbs);
            }
        }
        Assert.DoesNotContain(TemplateGrants(), g => g.Component == "ike" && g.Resource is not ("ipsectunnels/status" or "events"));
        Assert.DoesNotContain(TemplateGrants(), g => g.Resource is "ipsectunnels" or "trafficselectors" && g.Verbs.Contains("update"));
    }

    [Fact]
    public void Dataplane_service_account_gets_no_token()
    {
        var dataplane = Template("templates/serviceaccounts.yaml")
            .Single(d => d["metadata"]!["labels"]!["app.kubernetes.io/component"]!.GetValue<string>() == "dataplane");
        Assert.False(dataplane["automountServiceAccountToken"]!.GetValue<bool>());
    }

    [Fact]
    public void Operator_runs_leader_elected_non_root_without_capabilities()
    {
        var deployment = Template("templates/operator-deployment.yaml").Single();
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;
        Assert.Contains(container["args"]!.AsArray(), a => a!.GetValue<string>().StartsWith("--leader-elect=", StringComparison.Ordinal));
        Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>());
        Assert.False(container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>());
        Assert.Equal(["ALL"], container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    // A line holding only template actions ({{- if }}, {{- end }}, {{- include ... | nindent 4 }}).
    [GeneratedRegex(@"^\s*(\{\{-?[^}]*-?\}\}\s*)+$")]
    private static partial Regex TemplateOnlyLine();

    [GeneratedRegex(@"\{\{-?[^}]*-?\}\}")]
    private static partial Regex TemplateExpression();
}
