using System.Text.Json.Nodes;
using Isthmus.Api.Manifests;
using Isthmus.Crd.Tests.Validation;
using Isthmus.IkeDaemon.Config;

namespace Isthmus.Crd.Tests;

/// <summary>
/// The example manifests against the generated CRDs, as <c>kubectl apply</c> would meet them: every file in
/// examples/ is admitted; every file in examples/invalid/ is refused by the layer its <c># refused-by:</c> header
/// line names, with the message of its <c># expect:</c> line. <c>schema</c>: the API server itself (structural
/// schema, strict field validation, CEL rules). <c>webhook</c>: the operator's validator, which is the IKE daemon's
/// own config builder; its message is the one the operator writes into the Accepted condition of a tunnel.
/// </summary>
public sealed class ExampleManifestTests
{
    public static TheoryData<string> ValidFiles => new(Directory.GetFiles(RepositoryPaths.Examples, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> SchemaRefused => new(InvalidExample.All().Where(e => e.RefusedBy == InvalidExample.Schema).Select(e => e.File));

    public static TheoryData<string> WebhookRefused => new(InvalidExample.All().Where(e => e.RefusedBy == InvalidExample.Webhook).Select(e => e.File));

    [Theory]
    [MemberData(nameof(ValidFiles))]
    public void Example_is_admitted(string file)
    {
        var manifests = YamlDocuments.Load(Path.Combine(RepositoryPaths.Examples, file)).OfType<JsonObject>().ToList();
        Assert.NotEmpty(manifests);
        foreach (var manifest in manifests.Where(CrdCatalog.Repository.Serves))
        {
            var errors = CrdCatalog.Repository.Admit(manifest);
            Assert.True(errors.Count == 0, $"{file}: {manifest["kind"]} {manifest["metadata"]?["name"]} rejected:\n  {string.Join("\n  ", errors)}");
        }
    }

    [Theory]
    [MemberData(nameof(SchemaRefused))]
    public void Schema_refused_example_is_refused_by_the_crd_with_its_message(string file)
    {
        var example = InvalidExample.Load(file);
        var manifest = Assert.Single(YamlDocuments.Load(example.Path).OfType<JsonObject>());
        Assert.True(CrdCatalog.Repository.Serves(manifest), $"{file}: not an Isthmus custom resource");

        // One broken thing each: the expected error and nothing else (but the API server's note that it skipped the
        // CEL rules after a blocking schema error), so the rest of the file is valid.
        var errors = CrdCatalog.Repository.AdmitErrors(manifest);
        Assert.True(errors.Count == 1 && errors[0].Contains(example.Expect, StringComparison.Ordinal),
            $"{file}: expected exactly one error containing\n  {example.Expect}\nbut got {errors.Count}:\n  {string.Join("\n  ", errors)}");
    }

    [Theory]
    [MemberData(nameof(WebhookRefused))]
    public void Webhook_refused_example_passes_the_crd_and_is_refused_by_the_daemons_config_builder(string file)
    {
        var example = InvalidExample.Load(file);
        var manifest = Assert.Single(YamlDocuments.Load(example.Path).OfType<JsonObject>());
        Assert.Empty(CrdCatalog.Repository.Admit(manifest));

        Assert.Equal(example.Expect, AcceptedConditionMessage(example.Path, manifest));
    }

    [Fact]
    public void Every_broken_example_names_the_layer_that_refuses_it()
    {
        var examples = InvalidExample.All();
        Assert.NotEmpty(examples);
        Assert.All(examples, e => Assert.Contains(e.RefusedBy, new[] { InvalidExample.Schema, InvalidExample.Webhook }));
        Assert.Contains(examples, e => e.RefusedBy == InvalidExample.Webhook);
    }

    [Fact]
    public void Broken_examples_cover_every_kind_of_mistake_the_issue_names()
    {
        var names = Directory.GetFiles(RepositoryPaths.InvalidExamples, "*.yaml").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.Superset(
            new HashSet<string?>(["unknown-ike-keyword", "bad-cidr", "addr-range-reversed", "addr-range-mixed-family", "ports-reversed", "missing-secret-name", "unknown-enum-value"]),
            names);
    }

    /// <summary>
    /// What the operator writes into the Accepted condition for the manifest: it validates a tunnel with the IKE
    /// daemon's config builder, over the tunnel, the TrafficSelectors it names and its PSK Secret, and joins the
    /// errors without their "IpsecTunnel ns/name: " prefix. A TrafficSelector is validated through a tunnel that
    /// refers to it.
    /// </summary>
    private static string AcceptedConditionMessage(string path, JsonObject manifest)
    {
        var directory = Directory.CreateTempSubdirectory("isthmus-example-");
        try
        {
            var files = new List<string> { Path.Combine(RepositoryPaths.Examples, "psk-secret.yaml"), path };
            var tunnel = "probe";
            if (manifest["kind"]!.GetValue<string>() == "TrafficSelector")
            {
                var referring = Path.Combine(directory.FullName, "tunnel.yaml");
                File.WriteAllText(referring, $$"""
                    apiVersion: ipsec.isthmus.dev/v1alpha1
                    kind: IpsecTunnel
                    metadata:
                      name: {{tunnel}}
                      namespace: default
                    spec:
                      local:
                        address: 192.0.2.10
                      peer:
                        address: 198.51.100.20
                      authentication:
                        psk:
                          secretRef:
                            name: hq-branch-psk
                      trafficSelectors:
                        refs: [{{manifest["metadata"]!["name"]}}]
                    """);
                files.Add(referring);
            }
            else
            {
                tunnel = manifest["metadata"]!["name"]!.GetValue<string>();
            }

            TunnelConfigBuilder.Build(ManifestLoader.Load([.. files]), out var errors);
            var prefix = $"IpsecTunnel default/{tunnel}: ";
            return string.Join("; ", errors.Select(e => e.StartsWith(prefix, StringComparison.Ordinal) ? e[prefix.Length..] : e));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>A manifest of examples/invalid/ with its header: the expected message and the layer that refuses it.</summary>
internal sealed record InvalidExample(string File, string Path, string Expect, string RefusedBy)
{
    public const string Schema = "schema";
    public const string Webhook = "webhook";

    public static IReadOnlyList<InvalidExample> All() =>
        Directory.GetFiles(RepositoryPaths.InvalidExamples, "*.yaml").Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).Select(f => Load(f!)).ToList();

    public static InvalidExample Load(string file)
    {
        var path = System.IO.Path.Combine(RepositoryPaths.InvalidExamples, file);
        var header = System.IO.File.ReadLines(path).TakeWhile(l => l.StartsWith('#')).ToList();
        string Single(string prefix)
        {
            var values = header.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Trim()).ToList();
            Assert.True(values.Count == 1 && values[0].Length > 0, $"{file} needs exactly one '{prefix}<value>' line in its header comment");
            return values[0];
        }

        return new InvalidExample(file, path, Single("# expect: "), Single("# refused-by: "));
    }
}
