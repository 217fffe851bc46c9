using Isthmus.CrdGen;

// Isthmus.CrdGen: writes the CustomResourceDefinitions generated from operator/Isthmus.Api into each
// directory given, e.g.  dotnet run --project operator/Isthmus.CrdGen -- crds/ charts/isthmus/crds/
if (args.Length == 0 || args.Any(a => a is "-h" or "--help"))
{
    Console.Error.WriteLine("usage: Isthmus.CrdGen OUTPUT_DIR [OUTPUT_DIR...]");
    Console.Error.WriteLine($"  writes the Isthmus CRDs into each directory; the repository's command: {CrdGenerator.Command}");
    return args.Length == 0 ? 2 : 0;
}

IReadOnlyList<GeneratedFile> files;
try
{
    files = CrdGenerator.Generate();
}
catch (CrdGenerationException e)
{
    Console.Error.WriteLine($"Isthmus.CrdGen: {e.Message}");
    return 1;
}

foreach (var directory in args)
{
    try
    {
        Directory.CreateDirectory(directory);
        foreach (var file in files)
        {
            var path = Path.Combine(directory, file.FileName);
            var unchanged = File.Exists(path) && File.ReadAllText(path) == file.Content;
            if (!unchanged)
            {
                File.WriteAllText(path, file.Content);
            }
            Console.WriteLine($"{(unchanged ? "unchanged" : "wrote    ")} {path}");
        }
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Console.Error.WriteLine($"Isthmus.CrdGen: cannot write to '{directory}': {e.Message}");
        return 1;
    }
}
return 0;
