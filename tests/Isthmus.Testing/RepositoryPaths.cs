namespace Isthmus.Testing;

/// <summary>Locations in the repository, found from the test binary by walking up to Operator.sln.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "isthmus");

    public static string Crds => Path.Combine(Root, "crds");

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
