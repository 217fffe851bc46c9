using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Definitions;

namespace Isthmus.Crd.Tests.ApiExtensions;

/// <summary>What the API server refuses in a CustomResourceDefinition besides the cost of its rules, and how it words it.</summary>
public sealed class CustomResourceDefinitionValidatorTests
{
    private const string SchemaPath = "spec.validation.openAPIV3Schema";

    private static JsonObject Crd(JsonObject specSchema, string name = "widgets.example.com") => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["group"] = "example.com",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["plural"] = "widgets", ["kind"] = "Widget" },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject { ["spec"] = specSchema },
                    },
                },
            }),
        },
    };

    private static List<string> Errors(JsonObject crd) => CustomResourceDefinitionValidator.ValidateCreate(crd).Select(e => e.ToString()).ToList();

    private static JsonObject Object(params (string Name, JsonObject Schema)[] properties) =>
        new() { ["type"] = "object", ["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Name, (JsonNode?)p.Schema))) };

    [Fact]
    public void A_valid_crd_has_no_errors()
    {
        Assert.Empty(Errors(Crd(Object(("size", new JsonObject { ["type"] = "integer", ["minimum"] = 1 })))));
    }

    [Fact]
    public void Name_must_be_plural_dot_group()
    {
        Assert.Equal(["metadata.name: Invalid value: \"gadgets.example.com\": must be spec.names.plural+\".\"+spec.group"],
            Errors(Crd(Object(), name: "gadgets.example.com")));
    }

    [Fact]
    public void Every_node_needs_a_type_and_ref_is_forbidden()
    {
        var errors = Errors(Crd(Object(("a", new JsonObject { ["description"] = "no type" }), ("b", new JsonObject { ["$ref"] = "#/definitions/b", ["type"] = "object" }))));

        Assert.Contains($"{SchemaPath}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields", errors);
        Assert.Contains($"{SchemaPath}.properties[spec].properties[b].$ref: Forbidden: $ref is not supported", errors);
    }

    [Fact]
    public void A_rule_that_does_not_compile_is_invalid_with_the_compilers_message()
    {
        var spec = Object(("size", new JsonObject { ["type"] = "integer" }));
        spec["x-kubernetes-validations"] = new JsonArray(new JsonObject { ["rule"] = "self.nope > 1", ["message"] = "m" }, new JsonObject { ["rule"] = "self.size" });

        var errors = Errors(Crd(spec));

        Assert.Equal(2, errors.Count);
        Assert.StartsWith($"{SchemaPath}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{{Rule:\"self.nope > 1\", Message:\"m\"", errors[0]);
        Assert.EndsWith("compilation failed: ERROR: <input>:1:1: undefined field 'nope'", errors[0]);
        Assert.EndsWith("cel expression must evaluate to a bool", errors[1]);
    }

    [Fact]
    public void Metadata_at_the_root_may_only_name_name_and_generate_name()
    {
        var crd = Crd(Object());
        crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["properties"]!["metadata"] = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject { ["labels"] = new JsonObject { ["type"] = "object" } },
        };

        Assert.Equal([$"{SchemaPath}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"], Errors(crd));
    }

    [Fact]
    public void Rules_that_each_fit_but_together_exceed_the_schema_budget_are_refused_as_a_total()
    {
        // Each rule: ceil(4001 x 0.1) x ceil(900 x 0.25) + 1 = 90,226, for 100 items: 9,022,600 (under 10,000,000).
        var items = new JsonObject { ["type"] = "string", ["maxLength"] = 1000 };
        items["x-kubernetes-validations"] = new JsonArray(Enumerable.Range(0, 12)
            .Select(i => (JsonNode)new JsonObject { ["rule"] = $"self.matches('^{new string('a', 897)}{i % 10}$')", ["message"] = "m" }).ToArray());
        var crd = Crd(Object(("names", new JsonObject { ["type"] = "array", ["maxItems"] = 100, ["items"] = items })));

        var errors = Errors(crd);

        Assert.Equal(5, errors.Count);
        Assert.Equal(4, errors.Count(e => e.EndsWith("Forbidden: contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema", StringComparison.Ordinal)));
        Assert.Equal($"{SchemaPath}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of 1.082712x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)",
            errors[^1]);
    }

    [Fact]
    public void An_update_that_keeps_a_versions_schema_is_not_held_to_the_per_rule_limit_but_to_the_total()
    {
        var old = new CrdCatalogFixture(RepositoryPaths.CrdsA4f843b).Crd("TrafficSelector");

        var errors = CustomResourceDefinitionValidator.ValidateUpdate(old, old).Select(e => e.Detail).ToList();

        Assert.DoesNotContain(errors, e => e.StartsWith("estimated rule cost exceeds budget", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget", StringComparison.Ordinal));
    }

    /// <summary>Reads the CRDs of a directory.</summary>
    private sealed class CrdCatalogFixture(string directory)
    {
        public JsonObject Crd(string kind) => new Validation.CrdCatalog(directory).Crds.Single(c => (string?)c["spec"]!["names"]!["kind"] == kind);
    }
}
