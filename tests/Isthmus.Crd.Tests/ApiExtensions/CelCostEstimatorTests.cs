using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Definitions;
using Isthmus.ApiExtensions.Expressions;

namespace Isthmus.Crd.Tests.ApiExtensions;

/// <summary>
/// The static cost estimator against figures the API server's own estimator gives: the Kubernetes IP/CIDR library
/// cases of k8s.io/apiserver/pkg/cel/library/cost_test.go, and cel-go's rules for strings, regexes, presence tests,
/// comprehensions and int-or-string values sized from the schema.
/// </summary>
public sealed class CelCostEstimatorTests
{
    private static readonly JsonObject ShortString = new() { ["type"] = "string", ["maxLength"] = 10 };

    private static CostEstimate Cost(string expression, JsonObject? schema = null)
    {
        var decl = DeclType.FromSchema(schema ?? ShortString, isResourceRoot: false)!;
        return CelCostEstimator.Estimate(CelChecker.CheckRule(expression, decl), decl);
    }

    [Theory]
    [InlineData("ip('192.168.0.1')", 2, 2)]
    [InlineData("ip('2001:db8:3333:4444:5555:6666:7777:8888')", 4, 4)]
    [InlineData("ip('192.168.0.1').family()", 3, 3)]
    [InlineData("ip('192.168.0.1').isLoopback()", 3, 3)]
    [InlineData("ip.isCanonical('192.168.0.1')", 3, 3)]
    [InlineData("ip.isCanonical('2001:db8:3333:4444:5555:6666:7777:8888')", 8, 8)]
    [InlineData("cidr('192.168.0.0/16')", 2, 2)]
    [InlineData("cidr('192.168.0.0/16').prefixLength()", 3, 3)]
    [InlineData("cidr('192.168.0.0/16').containsIP(ip('192.0.0.1'))", 4, 7)]
    [InlineData("cidr('192.168.0.0/16').containsIP('192.169.0.1')", 5, 8)]
    [InlineData("cidr('192.168.0.0/16').containsCIDR(cidr('192.0.0.0/30'))", 7, 11)]
    [InlineData("cidr('192.168.0.0/16').containsCIDR('192.0.0.0/30')", 7, 11)]
    [InlineData("'01234567890123456789012345678901234567890123456789'.indexOf('123')", 5, 5)]
    public void Kubernetes_library_calls_cost_what_the_api_servers_estimator_says(string expression, ulong min, ulong max)
    {
        Assert.Equal(new CostEstimate(min, max), Cost(expression));
    }

    [Theory]
    // Receiver (40 bytes: 10 characters of up to 4 bytes) plus one, times 0.1, times the pattern's length times 0.25.
    [InlineData("self.matches('^[a-z]+$')", 3, 11)]
    // Kubernetes 1.32 prices isIP by a traversal of its argument even as a global call.
    [InlineData("isIP(self)", 1, 5)]
    [InlineData("self.startsWith('ab')", 2, 2)]
    [InlineData("size(self) > 3", 3, 3)]
    [InlineData("self == 'abc'", 2, 2)]
    [InlineData("self + 'x' == 'ab'", 3, 7)]
    public void String_functions_are_priced_by_the_schemas_max_length(string expression, ulong min, ulong max)
    {
        Assert.Equal(new CostEstimate(min, max), Cost(expression));
    }

    [Fact]
    public void Presence_tests_cost_nothing_beyond_their_operand()
    {
        var schema = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["x"] = new JsonObject { ["type"] = "integer" } } };

        Assert.Equal(CostEstimate.Fixed(1), Cost("has(self.x)", schema));
        Assert.Equal(CostEstimate.Fixed(2), Cost("self.x", schema));
    }

    [Fact]
    public void A_comprehension_costs_its_body_once_per_item_the_schema_allows()
    {
        var schema = new JsonObject { ["type"] = "array", ["maxItems"] = 16, ["items"] = new JsonObject { ["type"] = "string", ["maxLength"] = 128 } };

        // Per item: the loop condition (2) and the step (1 + the match: 1 + ceil(513 x 0.1) x ceil(2 x 0.25) = 53).
        Assert.Equal(new CostEstimate(2, 898), Cost("self.all(p, p.matches('ab'))", schema));
    }

    [Fact]
    public void An_int_or_string_is_sized_as_the_largest_request()
    {
        var schema = new JsonObject { ["x-kubernetes-int-or-string"] = true, ["maxLength"] = 9 };

        // string(self) may convert bytes: a traversal of 3 MiB - 2; the regex then runs over as much.
        Assert.Equal(629_147UL, Cost("string(self).matches('^a$')", schema).Max);
    }

    [Fact]
    public void A_function_the_estimator_does_not_know_is_never_cheap()
    {
        var schema = new JsonObject { ["type"] = "array", ["maxItems"] = 2, ["items"] = new JsonObject { ["type"] = "string", ["maxLength"] = 1 } };

        Assert.Equal(ulong.MaxValue, Cost("sets.contains(self, ['a'])", schema).Max);
        Assert.Equal(ulong.MaxValue, Cost("quantity(self[0]).isInteger()", schema).Max);
        Assert.Equal(ulong.MaxValue, Cost("self.all(x, x.charAt(0) == 'a')", schema).Max);
    }

    [Fact]
    public void Cardinality_is_the_product_of_enclosing_max_items_or_the_request_size_over_the_smallest_item()
    {
        JsonObject Rule(JsonObject node)
        {
            node["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = "self == 'x'" });
            return node;
        }

        var bounded = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["a"] = new JsonObject { ["type"] = "array", ["maxItems"] = 8, ["items"] = new JsonObject { ["type"] = "array", ["maxItems"] = 4, ["items"] = Rule(new JsonObject { ["type"] = "string", ["maxLength"] = 1 }) } },
                ["b"] = new JsonObject { ["type"] = "array", ["items"] = Rule(new JsonObject { ["type"] = "string", ["maxLength"] = 1 }) },
                ["c"] = new JsonObject { ["type"] = "object", ["maxProperties"] = 3, ["additionalProperties"] = Rule(new JsonObject { ["type"] = "string", ["maxLength"] = 1 }) },
            },
        };

        var rules = RuleCost.Of(bounded, "s").ToDictionary(r => r.SchemaPath, r => r.Cardinality);

        Assert.Equal(32UL, rules["s.properties[a].items.items"]);
        Assert.Equal(3_145_728UL / 3, rules["s.properties[b].items"]);
        Assert.Equal(3UL, rules["s.properties[c].additionalProperties"]);
    }

    [Theory]
    [InlineData(523_449_536UL, "52.3x")]
    [InlineData(100_663_744UL, "10.1x")]
    [InlineData(10_465_300UL, "1.046530x")]
    [InlineData(1_000_000_001UL, "more than 100x")]
    public void Budget_messages_word_the_factor_as_the_api_server_does(ulong cost, string factor)
    {
        Assert.Equal(
            $"estimated rule cost exceeds budget by factor of {factor} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)",
            CostBudget.ExceededMessage("estimated rule cost", cost, CostBudget.PerRuleLimit));
    }
}
