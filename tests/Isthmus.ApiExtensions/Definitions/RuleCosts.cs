using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Expressions;
using Isthmus.ApiExtensions.Schemas;

namespace Isthmus.ApiExtensions.Definitions;

/// <summary>
/// One <c>x-kubernetes-validations</c> rule of a schema with its static cost as the API server judges it at CRD
/// admission: the estimated cost of one evaluation (<see cref="MaxCost"/>), how many times the node can occur in one
/// object (<see cref="Cardinality"/>: the product of the maxItems/maxProperties of the lists and maps above it, or,
/// under an unbounded one, the request size over the node's smallest JSON text), and their product
/// (<see cref="Cost"/>), which must stay within <see cref="CostBudget.PerRuleLimit"/>.
/// </summary>
/// <param name="Path">The field path of the rule text, e.g. <c>...properties[protocol].x-kubernetes-validations[0].rule</c>.</param>
/// <param name="SchemaPath">The field path of the schema node the rule is on.</param>
/// <param name="Index">The rule's index in the node's list.</param>
/// <param name="Rule">The rule.</param>
/// <param name="MaxCost">The estimated cost of one evaluation.</param>
/// <param name="Cardinality">How many times the rule can run for one object.</param>
/// <param name="Cost">MaxCost times Cardinality (saturating).</param>
/// <param name="CompileError">Why the rule does not compile (as the API server words it), or null.</param>
public sealed record RuleCost(string Path, string SchemaPath, int Index, string Rule, ulong MaxCost, ulong Cardinality, ulong Cost, string? CompileError)
{
    /// <summary>Whether the rule alone exceeds the per-rule budget.</summary>
    public bool ExceedsBudget => CompileError is null && Cost > CostBudget.PerRuleLimit;

    /// <summary>The API server's message when the rule exceeds the per-rule budget.</summary>
    public string BudgetMessage => CostBudget.ExceededMessage("estimated rule cost", Cost, CostBudget.PerRuleLimit);

    /// <summary>
    /// Compiles and prices every rule of <paramref name="schema"/> (an <c>openAPIV3Schema</c>), the root being a
    /// resource root. <paramref name="schemaPath"/> is the field path of the schema for messages, e.g.
    /// <c>spec.validation.openAPIV3Schema</c>.
    /// </summary>
    public static IReadOnlyList<RuleCost> Of(JsonObject schema, string schemaPath)
    {
        var rules = new List<RuleCost>();
        Walk(schema, schemaPath, 1, isRoot: true, rules);
        return rules;
    }

    /// <summary>The sum of the costs of all rules (saturating), as the API server totals a schema.</summary>
    public static ulong Total(IEnumerable<RuleCost> rules)
    {
        var total = 0UL;
        foreach (var rule in rules.Where(r => r.CompileError is null))
        {
            total = ulong.MaxValue - total < rule.Cost ? ulong.MaxValue : total + rule.Cost;
        }

        return total;
    }

    private static void Walk(JsonObject schema, string path, ulong? cardinality, bool isRoot, List<RuleCost> rules)
    {
        if (schema["x-kubernetes-validations"] is JsonArray validations && validations.Count > 0)
        {
            var decl = DeclType.FromSchema(schema, isRoot || Json.Bool(schema, "x-kubernetes-embedded-resource"));
            for (var i = 0; i < validations.Count; i++)
            {
                var text = Json.Str(validations[i] as JsonObject, "rule") ?? "";
                if (text.Trim().Length == 0)
                {
                    continue;
                }

                var rulePath = $"{path}.x-kubernetes-validations[{i}].rule";
                if (decl is null)
                {
                    rules.Add(new RuleCost(rulePath, path, i, text, 0, 0, 0,
                        $"rule declared on schema that does not support validation rules type: '{Json.Str(schema, "type") ?? ""}' x-kubernetes-preserve-unknown-fields: '{(Json.Bool(schema, "x-kubernetes-preserve-unknown-fields") ? "true" : "false")}'"));
                    continue;
                }

                CheckedCel checkedRule;
                try
                {
                    checkedRule = CelChecker.CheckRule(text, decl);
                }
                catch (CelSyntaxException e)
                {
                    rules.Add(new RuleCost(rulePath, path, i, text, 0, 0, 0, "compilation failed: " + e.Message));
                    continue;
                }

                if (checkedRule.ResultType.Kind != CelTypeKind.Bool)
                {
                    rules.Add(new RuleCost(rulePath, path, i, text, 0, 0, 0, "cel expression must evaluate to a bool"));
                    continue;
                }

                var maxCost = CelCostEstimator.Estimate(checkedRule, decl).Max;
                var times = cardinality ?? CostBudget.CardinalityFromRequestSize(decl.MinSerializedSize);
                rules.Add(new RuleCost(rulePath, path, i, text, maxCost, times, CostBudget.Multiply(maxCost, times), null));
            }
        }

        var factor = Json.Str(schema, "type") switch
        {
            "object" when schema.ContainsKey("additionalProperties") => Json.Number(schema, "maxProperties") is { } max ? (ulong)Math.Max(0, max) : (ulong?)null,
            "array" => Json.Number(schema, "maxItems") is { } max ? (ulong)Math.Max(0, max) : (ulong?)null,
            _ => 1UL,
        };
        var childCardinality = cardinality is { } c && factor is { } f ? CostBudget.Multiply(c, f) : (ulong?)null;
        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            if (child is JsonObject property)
            {
                Walk(property, $"{path}.properties[{name}]", childCardinality, Json.Bool(property, "x-kubernetes-embedded-resource"), rules);
            }
        }

        if (schema["additionalProperties"] is JsonObject additional)
        {
            Walk(additional, $"{path}.additionalProperties", childCardinality, Json.Bool(additional, "x-kubernetes-embedded-resource"), rules);
        }

        if (schema["items"] is JsonObject items)
        {
            Walk(items, $"{path}.items", childCardinality, Json.Bool(items, "x-kubernetes-embedded-resource"), rules);
        }
    }
}
