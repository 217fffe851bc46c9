namespace Isthmus.Crd.Tests;

/// <summary>Locations in the repository, found from the test binary by walking up to Operator.sln.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Crds => Path.Combine(Root, "crds");

    /// <summary>The CRDs as they were at main a4f843b, refused by a real API server for their CEL cost.</summary>
    public static string CrdsA4f843b => Path.Combine(Root, "tests", "fixtures", "crds-a4f843b");

    public static string ChartCrds => Path.Combine(Root, "charts", "isthmus", "crds");

    public static string Chart => Path.Combine(Root, "charts", "isthmus");

    public static string Examples => Path.Combine(Root, "examples");

    public static string InvalidExamples => Path.Combine(Root, "examples", "invalid");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Operator.sln not found above {AppContext.BaseDirectory}");
    }
}
