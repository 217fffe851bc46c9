using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Manifests;

namespace Isthmus.Operator.IntegrationTests.KubeApiDouble;

/// <summary>Files of the repository the double's tests apply: the generated CRDs, the a4f843b CRDs, the examples.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "crds");

    /// <summary>The CRDs as they were at main a4f843b, which a real kube-apiserver 1.32 refused for their CEL cost.</summary>
    public static string CrdsA4f843b => Path.Combine(Root, "tests", "fixtures", "crds-a4f843b");

    public static string Examples => Path.Combine(Root, "examples");

    public static string InvalidExamples => Path.Combine(Examples, "invalid");

    /// <summary>The CRD of <paramref name="kind"/> in <paramref name="directory"/>.</summary>
    public static JsonObject Crd(string directory, string kind) =>
        Directory.GetFiles(directory, "*.yaml").SelectMany(YamlManifests.Read)
            .Single(c => (string?)c["spec"]?["names"]?["kind"] == kind);

    /// <summary>Every CRD in <paramref name="directory"/>, in file order.</summary>
    public static IReadOnlyList<JsonObject> CrdsIn(string directory) =>
        Directory.GetFiles(directory, "*.yaml").Order(StringComparer.Ordinal).SelectMany(YamlManifests.Read).ToList();

    /// <summary>The file names of examples/*.yaml.</summary>
    public static IEnumerable<string> ExampleFiles() =>
        Directory.GetFiles(Examples, "*.yaml").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal);

    /// <summary>
    /// The manifests of examples/invalid/ with their header: the message the refusal carries (<c># expect:</c>) and the
    /// layer that refuses it (<c># refused-by: schema</c> for the API server, <c>webhook</c> for the operator).
    /// </summary>
    public static IReadOnlyList<(string File, string Expect, string RefusedBy)> InvalidExampleHeaders() =>
        Directory.GetFiles(InvalidExamples, "*.yaml").Order(StringComparer.Ordinal).Select(path =>
        {
            var header = File.ReadLines(path).TakeWhile(l => l.StartsWith('#')).ToList();
            string Value(string prefix) =>
                header.Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).Select(l => l[prefix.Length..].Trim()).SingleOrDefault()
                ?? throw new InvalidOperationException($"{path} has no '{prefix}' line");
            return (Path.GetFileName(path), Value("# expect: "), Value("# refused-by: "));
        }).ToList();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Operator.sln not found above " + AppContext.BaseDirectory);
    }
}
