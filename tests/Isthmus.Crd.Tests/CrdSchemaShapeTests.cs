using System.Text.Json.Nodes;
using Isthmus.Api;
using Isthmus.ApiExtensions.Expressions;
using Isthmus.Crd.Tests.Validation;
using Isthmus.Ike.Config;

namespace Isthmus.Crd.Tests;

/// <summary>The generated CRDs are structural schemas the API server accepts, and carry what kubectl shows.</summary>
public sealed class CrdSchemaShapeTests
{
    private static JsonObject Crd(string kind) =>
        CrdCatalog.Repository.Crds.Single(c => c["spec"]!["names"]!["kind"]!.GetValue<string>() == kind);

    private static JsonObject Version(string kind) => Crd(kind)["spec"]!["versions"]![0]!.AsObject();

    private static JsonObject Schema(string kind) => Version(kind)["schema"]!["openAPIV3Schema"]!.AsObject();

    public static TheoryData<string> Kinds => new("IpsecTunnel", "TrafficSelector");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Schema_is_structural_every_node_typed_no_ref(string kind)
    {
        var problems = new List<string>();
        Walk(Schema(kind), "", problems, isProperty: false);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_field_has_a_description_for_kubectl_explain(string kind)
    {
        var missing = new List<string>();
        Descriptions(Schema(kind), "", missing);
        Assert.True(missing.Count == 0, "fields without description: " + string.Join(", ", missing));
    }

    [Fact]
    public void Tunnel_columns_are_ready_peer_node_ike_child_sas_rekeys_age()
    {
        var columns = Version("IpsecTunnel")["additionalPrinterColumns"]!.AsArray()
            .Where(c => c!["priority"] is null).Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(["READY", "PEER", "NODE", "IKE", "CHILD SAS", "REKEYS", "AGE"], columns);
    }

    [Fact]
    public void Tunnel_has_status_subresource_short_name_and_category()
    {
        Assert.NotNull(Version("IpsecTunnel")["subresources"]?["status"]);
        var names = Crd("IpsecTunnel")["spec"]!["names"]!;
        Assert.Contains("ipt", names["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("isthmus", names["categories"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("ts", Crd("TrafficSelector")["spec"]!["names"]!["shortNames"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public void Status_never_has_a_field_for_keys_or_psks()
    {
        var fields = new List<string>();
        FieldNames(Schema("IpsecTunnel")["properties"]!["status"]!.AsObject(), "status", fields);
        Assert.NotEmpty(fields);
        // psk, *secret*, *key/*keys (not rekey...At), and the RFC names of derived keys (SK_d, SK_ei, ...).
        var secretLike = new System.Text.RegularExpressions.Regex("(?i)(psk|secret|key$|keys$|^sk[a-z]{1,2}$|keymat)");
        Assert.DoesNotContain(fields, f => secretLike.IsMatch(f[(f.LastIndexOf('.') + 1)..]));
    }

    [Fact]
    public void Schema_defaults_match_the_ike_daemon_defaults()
    {
        var spec = Schema("IpsecTunnel")["properties"]!["spec"]!["properties"]!;
        TimeSpan Default(string section, string field) => Duration.Parse(spec[section]!["properties"]![field]!["default"]!.GetValue<string>());
        Assert.Equal(TunnelDefaults.IkeRekeyTime, Default("ike", "rekeyTime"));
        Assert.Equal(TunnelDefaults.DpdDelay, Default("ike", "dpdDelay"));
        Assert.Equal(TunnelDefaults.ChildRekeyTime, Default("child", "rekeyTime"));
        Assert.Equal((long)TunnelDefaults.ReplayWindow, spec["child"]!["properties"]!["replayWindow"]!["default"]!.GetValue<long>());
        Assert.Equal(TunnelDefaults.PeerPort, (int)spec["peer"]!["properties"]!["port"]!["default"]!.GetValue<long>());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_cel_rule_compiles_and_has_a_message(string kind)
    {
        var rules = new List<JsonObject>();
        Rules(Schema(kind), rules);
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            Assert.False(string.IsNullOrWhiteSpace(rule["message"]?.GetValue<string>()), $"rule without message: {rule["rule"]}");
            Assert.True(CelRuleEvaluator.TryCompile(rule["rule"]!.GetValue<string>(), out var error), $"{rule["rule"]}: {error}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_string_list_and_map_is_bounded_for_the_cost_estimate(string kind)
    {
        var unbounded = new List<string>();
        Bounds(Schema(kind), "", unbounded);
        Assert.True(unbounded.Count == 0, "unbounded: " + string.Join(", ", unbounded));
    }

    [Fact]
    public void Every_generated_file_starts_a_yaml_document_of_its_own()
    {
        foreach (var file in CrdGen.CrdGenerator.Generate())
        {
            Assert.StartsWith("---\n# CustomResourceDefinition of ", file.Content);
        }

        foreach (var path in Directory.GetFiles(RepositoryPaths.Crds, "*.yaml").Concat(Directory.GetFiles(RepositoryPaths.ChartCrds, "*.yaml")))
        {
            Assert.Equal("---", File.ReadLines(path).First());
        }
    }

    /// <summary>
    /// Strings without maxLength (enums are bounded by their longest value), lists without maxItems and maps without
    /// maxProperties: the API server sizes each from the 3 MiB request limit when it prices CEL rules.
    /// </summary>
    private static void Bounds(JsonObject schema, string path, List<string> unbounded)
    {
        var isString = schema["type"]?.GetValue<string>() == "string" || schema["x-kubernetes-int-or-string"] is not null;
        if (isString && schema["maxLength"] is null && schema["enum"] is null)
        {
            unbounded.Add(path + " (maxLength)");
        }

        if (schema["type"]?.GetValue<string>() == "array" && schema["maxItems"] is null)
        {
            unbounded.Add(path + " (maxItems)");
        }

        if (schema["additionalProperties"] is JsonObject values)
        {
            if (schema["maxProperties"] is null)
            {
                unbounded.Add(path + " (maxProperties)");
            }

            Bounds(values, path + "{}", unbounded);
        }

        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            Bounds(child!.AsObject(), path.Length == 0 ? name : $"{path}.{name}", unbounded);
        }

        if (schema["items"] is JsonObject items)
        {
            Bounds(items, path + "[]", unbounded);
        }
    }

    private static void Walk(JsonObject schema, string path, List<string> problems, bool isProperty)
    {
        if (schema.ContainsKey("$ref"))
        {
            problems.Add($"{path}: $ref");
        }
        if (schema["type"] is null && schema["x-kubernetes-int-or-string"] is null)
        {
            problems.Add($"{path}: no type");
        }
        if (schema["type"] is JsonArray)
        {
            problems.Add($"{path}: type is a list");
        }
        if (schema["nullable"] is not null || schema["anyOf"] is not null || schema["oneOf"] is not null)
        {
            problems.Add($"{path}: nullable/anyOf/oneOf");
        }
        if (schema["additionalProperties"] is JsonValue)
        {
            problems.Add($"{path}: additionalProperties must be a schema");
        }
        if (schema["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                Walk(child!.AsObject(), $"{path}.{name}", problems, isProperty: true);
            }
        }
        if (schema["items"] is JsonObject items)
        {
            Walk(items, path + "[]", problems, isProperty: false);
        }
        if (schema["additionalProperties"] is JsonObject additional)
        {
            Walk(additional, path + "{}", problems, isProperty: false);
        }
        _ = isProperty;
    }

    private static void Descriptions(JsonObject schema, string path, List<string> missing)
    {
        if (schema["properties"] is not JsonObject properties)
        {
            if (schema["items"] is JsonObject items)
            {
                Descriptions(items, path + "[]", missing);
            }
            return;
        }
        foreach (var (name, child) in properties)
        {
            var childPath = path.Length == 0 ? name : $"{path}.{name}";
            if (childPath != "metadata" && string.IsNullOrWhiteSpace(child!["description"]?.GetValue<string>()))
            {
                missing.Add(childPath);
            }
            Descriptions(child!.AsObject(), childPath, missing);
        }
    }

    private static void FieldNames(JsonObject schema, string path, List<string> names)
    {
        foreach (var (name, child) in schema["properties"] as JsonObject ?? [])
        {
            names.Add($"{path}.{name}");
            FieldNames(child!.AsObject(), $"{path}.{name}", names);
        }
        if (schema["items"] is JsonObject items)
        {
            FieldNames(items, path + "[]", names);
        }
    }

    private static void Rules(JsonObject schema, List<JsonObject> rules)
    {
        rules.AddRange((schema["x-kubernetes-validations"] as JsonArray ?? []).OfType<JsonObject>());
        foreach (var (_, child) in schema["properties"] as JsonObject ?? [])
        {
            Rules(child!.AsObject(), rules);
        }
        if (schema["items"] is JsonObject items)
        {
            Rules(items, rules);
        }
    }
}
