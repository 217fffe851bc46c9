using System.Net;
using Isthmus.Dataplane.Cli;
using Isthmus.Esp;

namespace Isthmus.Dataplane.E2ETests.Cli;

/// <summary>The statically keyed SA/policy file of <c>isthmus-dataplane apply</c>.</summary>
public sealed class SaFileTests
{
    private const string Key = "00112233445566778899aabbccddeeff01020304";

    [Fact]
    [Trait("RFC", "3948 2.1")]
    public void File_yields_sas_with_encapsulation_keys_and_selectors_and_policies()
    {
        string json = $$"""
            { "sas": [ { "spi": "0x1000", "direction": "out", "source": "172.31.0.1", "destination": "172.31.0.2",
                         "encapsulation": "udp", "encryption": "AesGcm16_128", "encryptionKey": "{{Key}}",
                         "replayWindow": 1024, "local": ["10.1.0.0/24"], "remote": ["10.2.0.0/24"] } ],
              "policies": [ { "id": 1, "direction": "out", "source": "10.1.0.0/24", "destination": "10.2.0.0/24",
                              "action": "protect", "spi": 4096, "priority": 10 } ] }
            """;

        SaFile? file = SaFile.Parse(json, out string error);

        Assert.True(file is not null, error);
        EspSa sa = Assert.Single(file.Sas);
        Assert.Equal(0x1000u, sa.Spi);
        Assert.Equal(EspDirection.Outbound, sa.Direction);
        Assert.Equal(IPAddress.Parse("172.31.0.2"), sa.TunnelDestination);
        Assert.Equal(UdpEncapsulation.Default, sa.Encapsulation);
        Assert.Equal(EspEncryptionAlgorithm.AesGcm16_128, sa.Encryption);
        Assert.Equal(Convert.FromHexString(Key), sa.EncryptionKey.ToArray());
        Assert.Equal(EspIntegrityAlgorithm.None, sa.Integrity);
        Assert.Equal(1024, sa.ReplayWindow);
        Assert.Equal("10.1.0.0/24", sa.LocalSelectors[0].ToString());
        Assert.Null(sa.Validate());
        EspPolicy policy = Assert.Single(file.Policies);
        Assert.Equal(new EspPolicy(1, PolicyDirection.Out, policy.Selector, PolicyAction.Protect, 4096, 10), policy);
    }

    [Theory]
    [InlineData("encryptionKey", "\"" + Key + "zz\"", "sas[0].encryptionKey is not hexadecimal")]
    [InlineData("direction", "\"sideways\"", "sas[0].direction must be \"in\" or \"out\"")]
    [InlineData("encryption", "\"Rot13\"", "sas[0].encryption must be one of")]
    [InlineData("encapsulation", "\"tcp\"", "sas[0].encapsulation must be \"none\" or \"udp\"")]
    [InlineData("source", "\"not-an-ip\"", "sas[0].source is not an IP address")]
    [InlineData("spi", "-5", "sas[0].spi must be a 32-bit number")]
    public void A_bad_field_is_named_and_no_key_is_echoed(string field, string value, string expected)
    {
        var fields = new Dictionary<string, string>
        {
            ["spi"] = "4096",
            ["direction"] = "\"out\"",
            ["source"] = "\"172.31.0.1\"",
            ["destination"] = "\"172.31.0.2\"",
            ["encapsulation"] = "\"none\"",
            ["encryption"] = "\"AesGcm16_128\"",
            ["encryptionKey"] = $"\"{Key}\"",
        };
        fields[field] = value;
        string json = "{ \"sas\": [ { " + string.Join(", ", fields.Select(f => $"\"{f.Key}\": {f.Value}")) + " } ] }";

        Assert.Null(SaFile.Parse(json, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[]", "must hold a JSON object")]
    [InlineData("{ \"sas\": 5 }", "\"sas\" must be an array")]
    [InlineData("{ \"sas\": [ ", "not valid JSON")]
    [InlineData("{ \"policies\": [ { \"id\": 1, \"direction\": \"out\", \"source\": \"10.0.0.0/33\", \"destination\": \"10.1.0.0/24\", \"action\": \"protect\" } ] }", "policies[0].source '10.0.0.0/33' is not an address, range or prefix")]
    [InlineData("{ \"policies\": [ { \"id\": 1, \"direction\": \"out\", \"source\": \"10.0.0.0/24\", \"destination\": \"10.1.0.0/24\", \"action\": \"allow\" } ] }", "policies[0].action must be")]
    public void A_malformed_file_is_refused_with_the_reason(string json, string expected)
    {
        Assert.Null(SaFile.Parse(json, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
