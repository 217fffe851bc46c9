using System.Text.Json.Nodes;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests;

/// <summary>
/// The example manifests against the generated CRDs, as <c>kubectl apply</c> would meet them: every file in
/// examples/ is admitted; every file in examples/invalid/ is rejected with exactly one error, the one its
/// <c># expect:</c> header line names.
/// </summary>
public sealed class ExampleManifestTests
{
    private const string ExpectPrefix = "# expect: ";

    public static TheoryData<string> ValidFiles => new(Directory.GetFiles(RepositoryPaths.Examples, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> InvalidFiles => new(Directory.GetFiles(RepositoryPaths.InvalidExamples, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

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
    [MemberData(nameof(InvalidFiles))]
    public void Broken_example_is_rejected_with_the_message_naming_the_field(string file)
    {
        var path = Path.Combine(RepositoryPaths.InvalidExamples, file);
        var expected = File.ReadLines(path).TakeWhile(l => l.StartsWith('#')).Where(l => l.StartsWith(ExpectPrefix, StringComparison.Ordinal))
            .Select(l => l[ExpectPrefix.Length..].Trim()).SingleOrDefault();
        Assert.False(string.IsNullOrEmpty(expected), $"{file} has no '{ExpectPrefix}<message>' line in its header comment");

        var manifest = Assert.Single(YamlDocuments.Load(path).OfType<JsonObject>());
        Assert.True(CrdCatalog.Repository.Serves(manifest), $"{file}: not an Isthmus custom resource");
        var errors = CrdCatalog.Repository.Admit(manifest);

        // One broken thing each: the expected error and nothing else, so the rest of the file is valid.
        Assert.True(errors.Count == 1 && errors[0].StartsWith(expected!, StringComparison.Ordinal),
            $"{file}: expected exactly one error starting with\n  {expected}\nbut got {errors.Count}:\n  {string.Join("\n  ", errors)}");
    }

    [Fact]
    public void Broken_examples_cover_every_kind_of_mistake_the_issue_names()
    {
        var names = Directory.GetFiles(RepositoryPaths.InvalidExamples, "*.yaml").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        Assert.Superset(
            new HashSet<string?>(["unknown-ike-keyword", "bad-cidr", "addr-range-reversed", "addr-range-mixed-family", "ports-reversed", "missing-secret-name", "unknown-enum-value"]),
            names);
    }
}
