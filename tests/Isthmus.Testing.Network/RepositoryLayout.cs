namespace Isthmus.Testing.Network;

/// <summary>
/// Where the repository and its projects' build outputs are, seen from a test assembly that runs from
/// <c>&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c> inside the repository.
/// </summary>
public static class RepositoryLayout
{
    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFile = "Operator.sln";

    /// <summary>The repository root (the directory holding <see cref="SolutionFile"/>) above the test assembly, or null.</summary>
    public static string? FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, SolutionFile)))
        {
            directory = directory.Parent;
        }

        return directory?.FullName;
    }

    /// <summary>
    /// <paramref name="fileName"/> in the own build output of the project in <paramref name="projectDirectory"/>
    /// (relative to the root, e.g. <c>dataplane-node/Isthmus.IkeDaemon</c>), for the configuration and target framework
    /// of the calling test assembly; or <paramref name="fileName"/> next to the test assembly when the tests do not run
    /// from inside the repository.
    /// </summary>
    public static string ProjectOutput(string projectDirectory, string fileName)
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string? root = FindRoot();
        if (root is null || testDirectory.Parent is null)
        {
            return Path.Combine(AppContext.BaseDirectory, fileName);
        }

        return Path.Combine(root, projectDirectory, "bin", testDirectory.Parent.Name, testDirectory.Name, fileName);
    }
}
