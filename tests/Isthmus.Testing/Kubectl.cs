using System.Diagnostics;

namespace Isthmus.Testing;

/// <summary>Runs the real kubectl (<see cref="ExternalTools.Kubectl"/>) with a kubeconfig, as a user would.</summary>
public static class Kubectl
{
    /// <summary>kubectl with <paramref name="args"/>; returns its exit code and what it printed (stdout, then stderr).</summary>
    public static async Task<(int Exit, string Output)> RunAsync(string kubeconfig, CancellationToken cancellationToken, params string[] args)
    {
        var start = new ProcessStartInfo(ExternalTools.RequireKubectl()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["KUBECONFIG"] = kubeconfig;
        start.Environment["HOME"] = Path.GetDirectoryName(kubeconfig)!;
        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
