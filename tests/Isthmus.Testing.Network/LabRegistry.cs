using System.Globalization;

namespace Isthmus.Testing.Network;

/// <summary>
/// Remembers, on disk, which namespaces and processes each lab created and which test host owns it, so a
/// later run can remove what a crashed or killed test host left behind. Only labs whose owner process is
/// gone are touched; processes are killed by recorded PID and start time, never by name.
/// </summary>
internal static class LabRegistry
{
    internal const string RootDirectory = "/tmp/isthmus-interop";
    private const string OwnerFile = "owner";
    private const string PidsFile = "pids";
    private const string NamespacesFile = "namespaces";

    private static readonly object Gate = new();
    private static bool _swept;

    internal static string CreateLabDirectory(string id, IReadOnlyList<string> namespaces)
    {
        string directory = Path.Combine(RootDirectory, id);
        Directory.CreateDirectory(directory);
        int self = Environment.ProcessId;
        File.WriteAllText(Path.Combine(directory, OwnerFile), FormatPid(self, Posix.StartTime(self) ?? 0));
        File.WriteAllLines(Path.Combine(directory, NamespacesFile), namespaces);
        return directory;
    }

    internal static void RecordNamespace(string labDirectory, string ns)
    {
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(labDirectory, NamespacesFile), ns + "\n");
        }
    }

    internal static void RecordProcess(string labDirectory, int pid, long startTime)
    {
        lock (Gate)
        {
            File.AppendAllText(Path.Combine(labDirectory, PidsFile), FormatPid(pid, startTime));
        }
    }

    /// <summary>Marks a lab as cleaned up (its files stay only when asked to keep them).</summary>
    internal static void Release(string labDirectory, bool keepFiles)
    {
        if (keepFiles)
        {
            File.Delete(Path.Combine(labDirectory, OwnerFile));
            File.Delete(Path.Combine(labDirectory, PidsFile));
            return;
        }

        if (Directory.Exists(labDirectory))
        {
            Directory.Delete(labDirectory, recursive: true);
        }
    }

    /// <summary>Once per test host: removes labs whose owning process no longer exists.</summary>
    internal static async Task SweepOrphansAsync(CancellationToken cancellationToken)
    {
        lock (Gate)
        {
            if (_swept)
            {
                return;
            }

            _swept = true;
        }

        if (!Directory.Exists(RootDirectory))
        {
            return;
        }

        foreach (string directory in Directory.GetDirectories(RootDirectory))
        {
            string ownerPath = Path.Combine(directory, OwnerFile);
            if (!File.Exists(ownerPath) || !TryParsePid(File.ReadAllText(ownerPath), out int owner, out long ownerStart)
                || Posix.IsSameProcessAlive(owner, ownerStart))
            {
                continue;
            }

            string pidsPath = Path.Combine(directory, PidsFile);
            if (File.Exists(pidsPath))
            {
                foreach (string line in File.ReadAllLines(pidsPath))
                {
                    if (TryParsePid(line, out int pid, out long start) && Posix.IsSameProcessAlive(pid, start))
                    {
                        Posix.SignalGroup(pid, Posix.SigKill);
                        Posix.SignalProcess(pid, Posix.SigKill);
                    }
                }
            }

            string namespacesPath = Path.Combine(directory, NamespacesFile);
            if (File.Exists(namespacesPath))
            {
                foreach (string ns in File.ReadAllLines(namespacesPath).Where(n => n.Length > 0))
                {
                    await ProcessRunner.RunAsync(["ip", "netns", "del", ns], null, TimeSpan.FromSeconds(10), cancellationToken)
                        .ConfigureAwait(false);
                }
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static string FormatPid(int pid, long startTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{pid} {startTime}\n");

    private static bool TryParsePid(string line, out int pid, out long startTime)
    {
        pid = 0;
        startTime = 0;
        string[] parts = line.Trim().Split(' ');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startTime);
    }
}
