using System.Text.Json.Nodes;
using Isthmus.ApiExtensions;
using Isthmus.ApiExtensions.Definitions;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.ApiExtensions;

/// <summary>
/// The static CEL cost budget of the API server, over the CRDs a real kube-apiserver 1.32 refused (main a4f843b,
/// kept in tests/fixtures/crds-a4f843b) and over the generated crds/: the estimator reproduces the server's verdicts
/// on the old ones, and every rule of the current ones fits.
/// </summary>
public sealed class CrdCostBudgetTests
{
    private const string Advice = "(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)";

    private static JsonObject Crd(string directory, string kind) =>
        new CrdCatalog(directory).Crds.Single(c => c["spec"]!["names"]!["kind"]!.GetValue<string>() == kind);

    private static IReadOnlyList<RuleCost> Rules(JsonObject crd) =>
        RuleCost.Of(crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.AsObject(), CustomResourceDefinitionValidator.SchemaPath(crd, 0));

    /// <summary>The selector entry lists of each kind, as field paths of their items schema.</summary>
    public static TheoryData<string, string> EntryLists => new()
    {
        { "IpsecTunnel", "spec.validation.openAPIV3Schema.properties[spec].properties[trafficSelectors].properties[inline].properties[remote].items" },
        { "IpsecTunnel", "spec.validation.openAPIV3Schema.properties[spec].properties[trafficSelectors].properties[inline].properties[local].items" },
        { "TrafficSelector", "spec.validation.openAPIV3Schema.properties[spec].properties[remote].items" },
        { "TrafficSelector", "spec.validation.openAPIV3Schema.properties[spec].properties[local].items" },
    };

    [Theory]
    [MemberData(nameof(EntryLists))]
    public void Old_protocol_rule_exceeds_the_budget_by_52_3x_as_the_real_server_said(string kind, string items)
    {
        var rule = Rules(Crd(RepositoryPaths.CrdsA4f843b, kind)).Single(r => r.Path == items + ".properties[protocol].x-kubernetes-validations[0].rule");

        // string(self) on an unbounded int-or-string, then a regex over it, for each of 64 entries.
        Assert.Equal(64UL, rule.Cardinality);
        Assert.Equal($"estimated rule cost exceeds budget by factor of 52.3x {Advice}", rule.BudgetMessage);
    }

    [Theory]
    [MemberData(nameof(EntryLists))]
    public void Old_address_range_rule_exceeds_the_budget_by_more_than_100x_as_the_real_server_said(string kind, string items)
    {
        var rule = Rules(Crd(RepositoryPaths.CrdsA4f843b, kind)).Single(r => r.Path == items + ".x-kubernetes-validations[3].rule");

        Assert.Contains("addrStart + '/' + string(l)", rule.Rule);
        Assert.Equal($"estimated rule cost exceeds budget by factor of more than 100x {Advice}", rule.BudgetMessage);
    }

    [Theory]
    [MemberData(nameof(EntryLists))]
    public void Old_ports_need_protocol_rule_exceeds_the_budget_by_10_1x_as_the_real_server_said(string kind, string items)
    {
        var rule = Rules(Crd(RepositoryPaths.CrdsA4f843b, kind)).Single(r => r.Path == items + ".x-kubernetes-validations[4].rule");

        Assert.StartsWith("!has(self.ports)", rule.Rule);
        Assert.Equal($"estimated rule cost exceeds budget by factor of 10.1x {Advice}", rule.BudgetMessage);
    }

    [Theory]
    [InlineData("IpsecTunnel")]
    [InlineData("TrafficSelector")]
    public void Old_crds_are_refused_for_exactly_the_three_rules_per_entry_list_and_their_total(string kind)
    {
        var errors = CustomResourceDefinitionValidator.ValidateCreate(Crd(RepositoryPaths.CrdsA4f843b, kind));

        var forbidden = errors.Where(e => e.Type == FieldErrorType.Forbidden && e.Detail.StartsWith("estimated rule cost exceeds budget", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, forbidden.Count);
        Assert.All(forbidden, e => Assert.Matches(@"(properties\[protocol\]\.x-kubernetes-validations\[0\]|items\.x-kubernetes-validations\[[34]\])\.rule$", e.Field));
        Assert.Contains(
            "spec.validation.openAPIV3Schema.properties[spec]" + (kind == "IpsecTunnel" ? ".properties[trafficSelectors].properties[inline]" : "") +
            $".properties[remote].items.properties[protocol].x-kubernetes-validations[0].rule: Forbidden: estimated rule cost exceeds budget by factor of 52.3x {Advice}",
            errors.Select(e => e.ToString()));

        // The address-range rule is unbounded, so the schema's total is over its budget too.
        Assert.Contains(errors, e => e.ToString() ==
            "spec.validation.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x " + Advice);
    }

    [Theory]
    [InlineData("IpsecTunnel")]
    [InlineData("TrafficSelector")]
    public void Every_rule_of_the_generated_crds_fits_the_per_rule_and_total_budget(string kind)
    {
        var crd = Crd(RepositoryPaths.Crds, kind);
        var rules = Rules(crd);

        Assert.NotEmpty(rules);
        Assert.All(rules, r => Assert.Null(r.CompileError));
        var over = rules.Where(r => r.Cost > CostBudget.PerRuleLimit).Select(r => $"{r.Path}: {r.Cost} ({r.Rule})").ToList();
        Assert.True(over.Count == 0, "over the per-rule budget:\n" + string.Join("\n", over));
        Assert.True(RuleCost.Total(rules) <= CostBudget.PerCrdLimit, $"total {RuleCost.Total(rules)} over {CostBudget.PerCrdLimit}");
        Assert.Empty(CustomResourceDefinitionValidator.ValidateCreate(crd));

        var output = TestContext.Current.TestOutputHelper;
        foreach (var rule in rules.OrderByDescending(r => r.Cost))
        {
            output?.WriteLine($"{rule.Cost,12} = {rule.MaxCost} x {rule.Cardinality}  {rule.Path}");
        }

        output?.WriteLine($"total {RuleCost.Total(rules)} of {CostBudget.PerCrdLimit}");
    }
}
