using System.Text;
using System.Text.Json.Nodes;
using Isthmus.Api.Manifests;
using Isthmus.Testing;
using YamlDotNet.RepresentationModel;

namespace Isthmus.Api.Tests.Manifests;

/// <summary>
/// The one YAML writer (CRDs, node configs): whatever it writes reads back as the same tree with YamlDotNet, the way
/// the IKE daemon's manifest loader reads it (YAML 1.2 core schema), and with the Kubernetes decoder (sigs.k8s.io/yaml
/// in the real kubectl, YAML 1.1 resolution: <c>yes</c>, <c>on</c> and <c>y</c> are booleans, <c>0777</c> is a number).
/// </summary>
public sealed class YamlWriterTests
{
    /// <summary>Strings a careless writer turns into something else, or into invalid YAML.</summary>
    public static readonly string[] Awkward =
    [
        // Empty and blank.
        "", " ", "  ", "trailing ", " leading", "a  b",
        // Numbers in YAML 1.1 or 1.2: leading zeros (octal in 1.1), hex, octal, exponents, underscores, signs, sexagesimal.
        "0", "007", "0012345", "0777", "0x1F", "0o17", "0b101", "1e3", "1.50e3", "1_000", "+1", "-1", ".5", "1.", "1:20", "190:20:30",
        ".inf", "-.inf", ".Inf", ".nan", ".NaN", "500", "4500", "65536",
        // Booleans and null in YAML 1.1 or 1.2, in any case.
        "yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "On", "OFF", "true", "True", "FALSE", "null", "Null", "NULL", "~",
        // Timestamps (YAML 1.1).
        "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2025-06-01T12:00:00Z",
        // Colons and comments.
        "a: b", "a:b", "key: value", ":", "a:", "# comment", "a #b", "a#b", "#",
        // Indicators at the start and inside.
        "- item", "-", "--", "---", "...", "?", "? x", "[a]", "{a: b}", "a, b", "*alias", "&anchor", "!tag", "!!str", "%directive", "@at", "`tick",
        "'single'", "\"double\"", "it's", "say \"hi\"", "back\\slash", "|", ">", "<<", "=", "a=b",
        // Multi-line and control characters.
        "line1\nline2", "trailing newline\n", "\nleading newline", "crlf\r\n", "\ttab", "tab\tinside", "bell\u0007", "nul\u0000byte", "del\u007f",
        "next line\u0085", "line separator\u2028", "paragraph separator\u2029", "\ufeffbom",
        // Non-ASCII.
        "Zürich", "ünïcødé", "日本語", "emoji 🔒",
        // What Isthmus writes every day: these must stay strings too.
        "hq-to-branch", "aes256gcm16-prfsha384-ecp384", "10.0.0.0/8", "2001:db8::1", "192.0.2.1", "C=CH, O=Example AG, CN=dc1",
        "app.kubernetes.io/part-of", "ipsec.isthmus.dev/v1alpha1", "4h", "1h30m", "icmpv6", "Opaque", "KEY_ID", "USER_FQDN",
    ];

    public static TheoryData<string> AwkwardStrings() => [.. Awkward];

    [Theory]
    [MemberData(nameof(AwkwardStrings))]
    public void An_awkward_string_reads_back_through_YamlDotNet_as_the_same_string_as_value_and_as_key(string text)
    {
        var tree = new JsonObject
        {
            ["value"] = text,
            ["keys"] = new JsonObject { [text] = "v" },
            ["list"] = new JsonArray(text, text),
        };

        var yaml = YamlWriter.Write(tree);

        Assert.True(JsonNode.DeepEquals(tree, ReadWithYamlDotNet(yaml)), $"written as:\n{yaml}");
    }

    [Fact]
    public void Every_awkward_string_reads_back_through_the_Kubernetes_decoder_as_the_same_string()
    {
        var kubectl = ExternalTools.RequireKubectl();
        var values = new JsonObject();
        var keys = new JsonObject();
        for (var i = 0; i < Awkward.Length; i++)
        {
            values[$"k{i:000}"] = Awkward[i];
            keys[Awkward[i]] = $"v{i:000}";
        }
        var written = new JsonObject { ["values"] = values, ["keys"] = keys };

        var decoded = ReadWithKubernetesDecoder(kubectl, written);

        Assert.True(JsonNode.DeepEquals(written, decoded), $"kubectl read:\n{decoded}");
    }

    [Fact]
    public void Numbers_booleans_null_and_nesting_read_back_through_both_readers()
    {
        var tree = new JsonObject
        {
            ["port"] = 4500,
            ["bytes"] = 500_000_000_000,
            ["ratio"] = 1.5,
            ["negative"] = -3,
            ["enabled"] = true,
            ["disabled"] = false,
            ["nothing"] = null,
            ["emptyObject"] = new JsonObject(),
            ["emptyList"] = new JsonArray(),
            ["selectors"] = new JsonArray(
                new JsonObject { ["cidr"] = "10.1.0.0/16", ["ports"] = new JsonObject { ["start"] = 443, ["end"] = 443 } },
                new JsonObject { ["addrStart"] = "10.3.0.10", ["addrEnd"] = "10.3.0.20", ["protocol"] = "tcp" },
                new JsonArray(1, "two", new JsonArray(), new JsonObject()),
                new JsonObject(),
                "last"),
            ["nested"] = new JsonObject { ["a"] = new JsonObject { ["b"] = new JsonObject { ["c"] = new JsonArray("deep") } } },
        };

        Assert.True(JsonNode.DeepEquals(tree, ReadWithYamlDotNet(YamlWriter.Write(tree))));
        var kubectl = ExternalTools.RequireKubectl();
        Assert.True(JsonNode.DeepEquals(tree, ReadWithKubernetesDecoder(kubectl, tree)));
    }

    [Theory]
    [InlineData("hq-to-branch", "hq-to-branch")]
    [InlineData("C=CH, O=Example AG, CN=dc1", "\"C=CH, O=Example AG, CN=dc1\"")]
    [InlineData("Address or DNS name of the remote gateway.", "Address or DNS name of the remote gateway.")]
    [InlineData("app.kubernetes.io/part-of", "app.kubernetes.io/part-of")]
    [InlineData("", "\"\"")]
    [InlineData("007", "\"007\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("Off", "\"Off\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("a #b", "\"a #b\"")]
    [InlineData("trailing ", "\"trailing \"")]
    [InlineData("line1\nline2", "\"line1\\nline2\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("nul\u0000", "\"nul\\u0000\"")]
    [InlineData("Zürich", "\"Zürich\"")]
    public void A_string_is_plain_only_when_both_YAML_versions_read_it_as_that_string(string text, string expected) =>
        Assert.Equal(expected, YamlWriter.Scalar(text));

    [Fact]
    public void Lists_are_indented_under_their_key_and_objects_in_lists_start_on_the_dash_line()
    {
        var tree = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["items"] = new JsonArray(new JsonObject { ["name"] = "a", ["ports"] = new JsonArray(500, 4500) }, "b"),
            ["empty"] = new JsonObject(),
        };

        Assert.Equal(
            """
            apiVersion: v1
            items:
              - name: a
                ports:
                  - 500
                  - 4500
              - b
            empty: {}

            """.ReplaceLineEndings("\n"),
            YamlWriter.Write(tree));
    }

    [Fact]
    public void A_document_starts_with_its_own_separator()
    {
        var output = new StringBuilder();
        YamlWriter.WriteDocument(output, new JsonObject { ["kind"] = "Secret" });
        YamlWriter.WriteDocument(output, new JsonObject { ["kind"] = "IpsecTunnel" });

        Assert.Equal("---\nkind: Secret\n---\nkind: IpsecTunnel\n", output.ToString());
        var stream = new YamlStream();
        stream.Load(new StringReader(output.ToString()));
        Assert.Equal(2, stream.Documents.Count);
    }

    /// <summary>YAML as the manifest loader reads it: YamlDotNet's parser, then Isthmus's YAML 1.2 core-schema conversion.</summary>
    private static JsonNode? ReadWithYamlDotNet(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var json = YamlToJson.Convert(Assert.Single(stream.Documents).RootNode, out var error);
        Assert.Null(error);
        return json;
    }

    /// <summary>
    /// YAML as Kubernetes reads it: the tree is written as a field of a ConfigMap, and the real kubectl decodes the file
    /// offline (<c>kubectl label --local -o json</c>, with sigs.k8s.io/yaml like the API server) and prints it as JSON.
    /// </summary>
    private static JsonNode? ReadWithKubernetesDecoder(string kubectl, JsonObject tree)
    {
        var manifest = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "yaml-round-trip" },
            ["tree"] = tree.DeepClone(),
        };
        var directory = Directory.CreateTempSubdirectory("isthmus-yaml-");
        try
        {
            var file = Path.Combine(directory.FullName, "round-trip.yaml");
            File.WriteAllText(file, YamlWriter.Write(manifest), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            var (exit, stdout, stderr) = ExternalTools.Run(kubectl, ["label", "--local", "-f", file, "round-trip=yes", "-o", "json"]);
            Assert.True(exit == 0, $"kubectl failed ({exit}): {stderr}");
            return JsonNode.Parse(stdout)!["tree"];
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
