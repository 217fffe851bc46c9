namespace Isthmus.Testing;

/// <summary>Locations in the repository, found from the test binary by walking up to Operator.sln.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "isthmus");

    public static string Crds => Path.Combine(Root, "crds");

    public static string Examples => Path.Combine(Root, "examples");

    public static string InvalidExamples => Path.Combine(Root, "examples", "invalid");

    /// <summary>
    /// <paramref name="fileName"/> in the own build output of the project in <paramref name="projectDirectory"/> (relative
    /// to the root, e.g. <c>dataplane-node/Isthmus.IkeDaemon</c>), for the configuration and target framework of the
    /// calling test assembly, which runs from <c>&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>.
    /// </summary>
    public static string ProjectOutput(string projectDirectory, string fileName)
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(Root, projectDirectory, "bin", testDirectory.Parent!.Name, testDirectory.Name, fileName);
    }

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
