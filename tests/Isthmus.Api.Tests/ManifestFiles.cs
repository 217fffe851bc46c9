namespace Isthmus.Api.Tests;

/// <summary>A temporary directory of manifest files for one test, and the repository's examples.</summary>
internal sealed class ManifestFiles : IDisposable
{
    public ManifestFiles()
    {
        Directory = Path.Combine(Path.GetTempPath(), "isthmus-manifests-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    public string Write(string relativePath, string yaml)
    {
        var path = Path.Combine(Directory, relativePath);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    /// <summary>The repository's examples/ directory, found by walking up from the test binaries.</summary>
    public static string Examples
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
                {
                    return Path.Combine(dir.FullName, "examples");
                }
            }
            throw new InvalidOperationException("repository root (Operator.sln) not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The example manifests at the top of examples/: the valid ones. examples/invalid/ holds manifests the
    /// CRD schemas must reject (tests/Isthmus.Crd.Tests), so it is not loaded as a whole directory.
    /// </summary>
    public static string[] ExampleFiles =>
        System.IO.Directory.GetFiles(Examples, "*.yaml", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal).ToArray();
}
