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
}
