using Isthmus.Ike.Fuzz;
using Isthmus.Ike.Tests.Messages;
using SharpFuzz;

// Isthmus.Ike.Fuzz                      run under afl-fuzz (see ../run.sh); reads one input per execution
// Isthmus.Ike.Fuzz --replay PATH...     run the target on every file (or every file in each directory), no AFL
// Isthmus.Ike.Fuzz --write-corpus DIR   write the valid sample messages as seed inputs into DIR
if (args.Length >= 1 && args[0] == "--write-corpus")
{
    string directory = args.Length >= 2 ? args[1] : ".";
    Directory.CreateDirectory(directory);
    foreach (var (name, bytes) in SampleMessages.All())
    {
        File.WriteAllBytes(Path.Combine(directory, name + ".bin"), bytes);
        Console.WriteLine($"{name}.bin: {bytes.Length} octets");
    }

    return 0;
}

if (args.Length >= 1 && args[0] == "--replay")
{
    var files = args.Skip(1)
        .SelectMany(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path])
        .Where(path => !Path.GetFileName(path).StartsWith('.') && !Path.GetFileName(path).Equals("README.txt", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToList();
    int passed = 0;
    int failed = 0;
    foreach (string file in files)
    {
        try
        {
            IkeMessageTarget.Run(File.ReadAllBytes(file));
            passed++;
        }
        catch (Exception exception)
        {
            failed++;
            Console.WriteLine($"CRASH {file}: {exception}");
        }
    }

    Console.WriteLine($"{passed} passed, {failed} failed");
    return failed == 0 && files.Count > 0 ? 0 : 1;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    IkeMessageTarget.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
