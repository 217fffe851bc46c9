using System.Diagnostics;

namespace Isthmus.Crd.Tests.Chart;

/// <summary>
/// Finds the helm and kubectl binaries the chart tests run (installed by <c>scripts/install-k8s-tools.sh</c>): the
/// file named by <c>ISTHMUS_HELM</c> / <c>ISTHMUS_KUBECTL</c>; else the tools directory (<c>ISTHMUS_TOOLS_DIR</c>, else
/// <c>/usr/local/lib/isthmus/bin</c>, else <c>~/.local/lib/isthmus/bin</c>); else the PATH. A test that needs a
/// missing tool is skipped with the reason, or fails under <c>CI=true</c>, where a missing install step must not
/// pass unnoticed.
/// </summary>
internal static class KubernetesTools
{
    public const string HelmVariable = "ISTHMUS_HELM";
    public const string KubectlVariable = "ISTHMUS_KUBECTL";
    public const string ToolsDirectoryVariable = "ISTHMUS_TOOLS_DIR";

    private static readonly Lazy<(string? Path, string? Reason)> HelmLocation = new(() => LocateHelm());
    private static readonly Lazy<(string? Path, string? Reason)> KubectlLocation = new(() => Locate("kubectl", KubectlVariable));

    /// <summary>The helm 3 binary, or the calling test is skipped (failed under CI=true) with the reason.</summary>
    public static string Helm => HelmLocation.Value.Path ?? Missing(HelmLocation.Value.Reason!);

    /// <summary>The kubectl binary, or the calling test is skipped (failed under CI=true) with the reason.</summary>
    public static string Kubectl => KubectlLocation.Value.Path ?? Missing(KubectlLocation.Value.Reason!);

    /// <summary>The directories searched after the variable, in order.</summary>
    public static IEnumerable<string> ToolsDirectories()
    {
        if (Environment.GetEnvironmentVariable(ToolsDirectoryVariable) is { Length: > 0 } configured)
        {
            yield return configured;
        }
        yield return "/usr/local/lib/isthmus/bin";
        yield return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "lib", "isthmus", "bin");
    }

    private static (string? Path, string? Reason) LocateHelm()
    {
        var (path, reason) = Locate("helm", HelmVariable);
        if (path is null)
        {
            return (null, reason);
        }
        // The tests rely on Helm 3's behaviour (lint mode for `required`, the output of `helm show crds`).
        var version = Run(path, "version", "--template", "{{.Version}}");
        return version.StartsWith("v3.", StringComparison.Ordinal)
            ? (path, null)
            : (null, $"{path} reports version '{version}', the chart tests need helm 3: run scripts/install-k8s-tools.sh or set {HelmVariable}");
    }

    private static (string? Path, string? Reason) Locate(string tool, string variable)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } named)
        {
            return File.Exists(named) ? (named, null) : (null, $"{variable}={named} does not exist");
        }
        foreach (var directory in ToolsDirectories())
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return (candidate, null);
            }
        }
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return (candidate, null);
            }
        }
        return (null, $"{tool} not found ({variable}, {string.Join(", ", ToolsDirectories())}, PATH): run scripts/install-k8s-tools.sh");
    }

    private static string Missing(string reason)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            Assert.Fail($"the chart tests need helm and kubectl under CI: {reason}");
        }
        Assert.Skip(reason);
        return "";
    }

    private static string Run(string path, params string[] args)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            return "";
        }
        return output.Result.Trim();
    }
}
