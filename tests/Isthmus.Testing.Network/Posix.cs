using System.Globalization;
using System.Runtime.InteropServices;

namespace Isthmus.Testing.Network;

/// <summary>
/// The few POSIX calls the harness needs to stop exactly the processes it started: by PID and by
/// process group, never by name.
/// </summary>
internal static partial class Posix
{
    internal const int SigKill = 9;
    internal const int SigTerm = 15;

    [LibraryImport("libc.so.6", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int signal);

    /// <summary>Sends <paramref name="signal"/> to one process. Returns false if it no longer exists.</summary>
    internal static bool SignalProcess(int pid, int signal) => pid > 1 && KillNative(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every member of process group <paramref name="pgid"/>.</summary>
    internal static bool SignalGroup(int pgid, int signal) => pgid > 1 && KillNative(-pgid, signal) == 0;

    /// <summary>
    /// The process start time (field 22 of /proc/PID/stat, in clock ticks since boot), or null when the
    /// process does not exist. PID plus start time identifies a process even after PID reuse.
    /// </summary>
    internal static long? StartTime(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may contain spaces: fields resume after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        string[] rest = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);

        // rest[0] is field 3 (state); field 22 is rest[19].
        return rest.Length > 19 && long.TryParse(rest[19], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            ? ticks
            : null;
    }

    /// <summary>True when process <paramref name="pid"/> exists and still has start time <paramref name="startTime"/>.</summary>
    internal static bool IsSameProcessAlive(int pid, long startTime) => StartTime(pid) == startTime;
}
