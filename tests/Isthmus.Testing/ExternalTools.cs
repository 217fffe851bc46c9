using System.Diagnostics;

namespace Isthmus.Testing;

/// <summary>
/// The command-line tools some tests drive (helm, kubectl), found as <c>scripts/install-k8s-tools.sh</c> installs
/// them: the environment variable <c>ISTHMUS_HELM</c> / <c>ISTHMUS_KUBECTL</c>, then the tools directory
/// (<c>ISTHMUS_TOOLS_DIR</c>, default <c>/usr/local/lib/isthmus/bin</c>), then <c>PATH</c>. A test that needs a
/// missing tool is skipped with the reason, or fails under <c>CI=true</c>, where nothing may be silently skipped.
/// </summary>
public static class ExternalTools
{
    public const string DefaultToolsDirectory = "/usr/local/lib/isthmus/bin";

    /// <summary>The helm binary, or null.</summary>
    public static string? Helm => Find("helm", "ISTHMUS_HELM");

    /// <summary>The kubectl binary, or null.</summary>
    public static string? Kubectl => Find("kubectl", "ISTHMUS_KUBECTL");

    /// <summary>helm's path; skips (or under CI fails) the calling test when there is none.</summary>
    public static string RequireHelm() => Require(Helm, "helm");

    /// <summary>kubectl's path; skips (or under CI fails) the calling test when there is none.</summary>
    public static string RequireKubectl() => Require(Kubectl, "kubectl");

    /// <summary>Whether missing prerequisites fail tests instead of skipping them.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("CI") == "true";

    /// <summary>Skips the calling test with <paramref name="reason"/>, or fails it under <see cref="Required"/>.</summary>
    public static void SkipOrFail(string reason)
    {
        if (Required)
        {
            Xunit.Assert.Fail($"CI=true but {reason}");
        }
        Xunit.Assert.Skip(reason);
    }

    /// <summary>Runs a tool to completion; returns its exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', start.ArgumentList)} did not finish");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string Require(string? path, string name)
    {
        if (path is null)
        {
            SkipOrFail($"{name} is not installed (scripts/install-k8s-tools.sh installs it)");
        }
        return path!;
    }

    private static string? Find(string name, string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } explicitPath)
        {
            return File.Exists(explicitPath) ? explicitPath : null;
        }
        var directory = Environment.GetEnvironmentVariable("ISTHMUS_TOOLS_DIR") is { Length: > 0 } d ? d : DefaultToolsDirectory;
        var candidate = Path.Combine(directory, name);
        if (File.Exists(candidate))
        {
            return candidate;
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
