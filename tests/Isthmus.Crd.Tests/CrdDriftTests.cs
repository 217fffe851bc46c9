using Isthmus.CrdGen;

namespace Isthmus.Crd.Tests;

/// <summary>crds/ and the chart's copy are exactly what the C# types generate: a type change without regenerating fails here.</summary>
public sealed class CrdDriftTests
{
    public static TheoryData<string> Directories => new(RepositoryPaths.Crds, RepositoryPaths.ChartCrds);

    [Theory]
    [MemberData(nameof(Directories))]
    public void Checked_in_crds_are_what_the_types_generate(string directory)
    {
        var generated = CrdGenerator.Generate();
        var relative = Path.GetRelativePath(RepositoryPaths.Root, directory);
        var onDisk = Directory.Exists(directory)
            ? Directory.GetFiles(directory, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()
            : [];
        Assert.True(
            onDisk.SequenceEqual(generated.Select(g => g.FileName).Order(StringComparer.Ordinal)),
            $"{relative}/ holds [{string.Join(", ", onDisk)}] but the types generate [{string.Join(", ", generated.Select(g => g.FileName))}]; run: {CrdGenerator.Command}");
        foreach (var file in generated)
        {
            var actual = File.ReadAllText(Path.Combine(directory, file.FileName));
            if (actual != file.Content)
            {
                Assert.Fail($"{relative}/{file.FileName} differs from what the C# types generate ({FirstDifference(file.Content, actual)}); run: {CrdGenerator.Command}");
            }
        }
    }

    [Fact]
    public void Generation_is_deterministic()
    {
        var first = CrdGenerator.Generate();
        var second = CrdGenerator.Generate();
        Assert.Equal(first, second);
    }

    private static string FirstDifference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        for (var i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var el = i < e.Length ? e[i] : "<end of file>";
            var al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}: generated '{Trim(el)}', file has '{Trim(al)}'";
            }
        }
        return "line endings differ";
    }

    private static string Trim(string line) => line.Length > 160 ? line[..160] + "..." : line.Trim();
}
