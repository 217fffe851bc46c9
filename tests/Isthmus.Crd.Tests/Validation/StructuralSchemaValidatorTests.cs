using System.Text.Json.Nodes;

namespace Isthmus.Crd.Tests.Validation;

/// <summary>The admission checks the example tests rely on, each shown to fire on its own.</summary>
public sealed class StructuralSchemaValidatorTests
{
    private static JsonObject Selector(string remoteEntryJson) => JsonNode.Parse($$$"""
        {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"TrafficSelector","metadata":{"name":"t"},
         "spec":{"local":[{"cidr":"10.1.0.0/16"}],"remote":[{{{remoteEntryJson}}}]}}
        """)!.AsObject();

    [Theory]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":6,"ports":{"start":443}}""")]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":"tcp","ports":{"start":443}}""")]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":"UDP"}""")]
    public void Protocol_is_int_or_string(string entry)
    {
        var errors = CrdCatalog.Repository.Admit(Selector(entry));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void Boolean_protocol_is_a_type_error()
    {
        var errors = CrdCatalog.Repository.AdmitErrors(Selector("""{"cidr":"10.2.0.0/16","protocol":true}"""));
        Assert.Equal(["spec.remote[0].protocol: Invalid value: \"boolean\": spec.remote[0].protocol in body must be of type integer,string: \"boolean\""], errors);
    }

    [Fact]
    public void Defaults_fill_absent_sections_before_rules_run()
    {
        var tunnel = JsonNode.Parse("""
            {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnel","metadata":{"name":"t"},
             "spec":{"local":{"address":"192.0.2.1"},"peer":{"address":"192.0.2.2"},
                     "authentication":{"psk":{"secretRef":{"name":"s"}}},
                     "trafficSelectors":{"refs":["a"]}}}
            """)!.AsObject();
        Assert.Empty(CrdCatalog.Repository.Admit(tunnel));
        Assert.Equal("4h", tunnel["spec"]!["ike"]!["rekeyTime"]!.GetValue<string>());
        Assert.Equal("Auto", tunnel["spec"]!["ike"]!["natTraversal"]!.GetValue<string>());
        Assert.Equal("psk", tunnel["spec"]!["authentication"]!["psk"]!["secretRef"]!["key"]!.GetValue<string>());
        Assert.Equal(500L, tunnel["spec"]!["peer"]!["port"]!.GetValue<long>());
    }

    [Fact]
    public void Duplicate_selector_refs_are_rejected_as_a_set()
    {
        var tunnel = JsonNode.Parse("""
            {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnel","metadata":{"name":"t"},
             "spec":{"local":{"address":"192.0.2.1"},"peer":{"address":"192.0.2.2"},
                     "authentication":{"psk":{"secretRef":{"name":"s"}}},
                     "trafficSelectors":{"refs":["a","a"]}}}
            """)!.AsObject();
        Assert.Equal(["spec.trafficSelectors.refs[1]: Duplicate value: \"a\""], CrdCatalog.Repository.Admit(tunnel));
    }

    [Fact]
    public void Status_is_validated_too()
    {
        var tunnel = JsonNode.Parse("""
            {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnel","metadata":{"name":"t"},
             "spec":{"local":{"address":"192.0.2.1"},"peer":{"address":"192.0.2.2"},
                     "authentication":{"psk":{"secretRef":{"name":"s"}}},"trafficSelectors":{"refs":["a"]}},
             "status":{"ikeSa":{"spiI":"xyz"},"conditions":[{"type":"Ready","status":"True"},{"type":"Ready","status":"False"}]}}
            """)!.AsObject();
        var errors = CrdCatalog.Repository.Admit(tunnel);
        Assert.Contains(errors, e => e.StartsWith("status.ikeSa.spiI: Invalid value: \"xyz\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("status.conditions[1]: Duplicate value", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_fields_are_refused_under_strict_validation_and_pruned_otherwise()
    {
        var selector = Selector("""{"cidr":"10.2.0.0/16","portz":{"start":1}}""");
        selector["spec"]!["extra"] = true;

        Assert.Equal(["TrafficSelector in version \"v1alpha1\" cannot be handled as a TrafficSelector: strict decoding error: unknown field \"spec.extra\", unknown field \"spec.remote[0].portz\""],
            CrdCatalog.Repository.Admit((JsonObject)selector.DeepClone()));

        var pruned = (JsonObject)selector.DeepClone();
        Assert.Empty(CrdCatalog.Repository.Admit(pruned, Isthmus.ApiExtensions.Schemas.FieldValidation.Warn));
        Assert.Null(pruned["spec"]!["extra"]);
        Assert.Null(pruned["spec"]!["remote"]![0]!["portz"]);
        Assert.Equal("ipsec.isthmus.dev/v1alpha1", (string?)pruned["apiVersion"]);
        Assert.Equal("t", (string?)pruned["metadata"]!["name"]);
    }

    [Fact]
    public void A_null_is_dropped_and_the_default_takes_its_place()
    {
        var tunnel = JsonNode.Parse("""
            {"apiVersion":"ipsec.isthmus.dev/v1alpha1","kind":"IpsecTunnel","metadata":{"name":"t"},
             "spec":{"local":{"address":"192.0.2.1"},"peer":{"address":"192.0.2.2","port":null},
                     "authentication":{"psk":{"secretRef":{"name":"s"}}},"ike":null,
                     "trafficSelectors":{"refs":["a"]}}}
            """)!.AsObject();

        Assert.Empty(CrdCatalog.Repository.Admit(tunnel));
        Assert.Equal(500L, tunnel["spec"]!["peer"]!["port"]!.GetValue<long>());
        Assert.Equal("4h", (string?)tunnel["spec"]!["ike"]!["rekeyTime"]);
    }

    [Theory]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":"ANY","ports":{"start":443}}""")]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":"0","ports":{"start":443}}""")]
    [InlineData("""{"cidr":"10.2.0.0/16","protocol":0,"ports":{"start":443}}""")]
    [InlineData("""{"cidr":"10.2.0.0/16","ports":{"start":443}}""")]
    public void Ports_need_a_protocol_other_than_any_in_any_spelling(string entry)
    {
        Assert.Equal(["spec.remote[0].ports: Invalid value: \"object\": ports need a protocol other than any (RFC 7296 section 3.13.1)"],
            CrdCatalog.Repository.Admit(Selector(entry)));
    }

    [Theory]
    [InlineData("\"tcpp\"", "spec.remote[0].protocol: Invalid value: \"tcpp\": spec.remote[0].protocol in body should match")]
    [InlineData("\"06\"", "spec.remote[0].protocol: Invalid value: \"06\": spec.remote[0].protocol in body should match")]
    [InlineData("256", "spec.remote[0].protocol: Invalid value: 256: spec.remote[0].protocol in body should be less than or equal to 255")]
    [InlineData("-1", "spec.remote[0].protocol: Invalid value: -1: spec.remote[0].protocol in body should be greater than or equal to 0")]
    public void Protocol_is_checked_by_pattern_and_range_without_cel(string protocol, string error)
    {
        var errors = CrdCatalog.Repository.Admit(Selector($$"""{"cidr":"10.2.0.0/16","protocol":{{protocol}}}"""));

        Assert.StartsWith(error, Assert.Single(errors));
    }
}
