using System.Diagnostics;
using System.Text;

namespace Isthmus.Testing.Network;

/// <summary>Runs a command to completion with a timeout, capturing stdout, stderr and the exit code.</summary>
public static class ProcessRunner
{
    internal static ProcessStartInfo CreateStartInfo(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment)
    {
        if (argv.Count == 0)
        {
            throw new ArgumentException("A command needs at least a program name.", nameof(argv));
        }

        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        for (int i = 1; i < argv.Count; i++)
        {
            info.ArgumentList.Add(argv[i]);
        }

        if (environment is not null)
        {
            foreach ((string key, string value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        return info;
    }

    /// <summary>
    /// Runs <paramref name="argv"/> (no shell) with <paramref name="environment"/> added, closing its stdin; a command
    /// still running at <paramref name="timeout"/> is killed with its descendants and reported as timed out.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        IReadOnlyList<string> argv,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = CreateStartInfo(argv, environment) };
        process.Start();
        process.StandardInput.Close();

        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        bool timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = true;

            // Process.Kill(true) walks this PID's descendants and signals each by PID.
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the timeout and the kill.
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        // A descendant that escaped the kill (for example one that called setsid) may still hold the pipes.
        string output = await DrainAsync(stdout).ConfigureAwait(false);
        string error = await DrainAsync(stderr).ConfigureAwait(false);
        return new ProcessResult(argv.ToArray(), timedOut ? -1 : process.ExitCode, output, error, timedOut, stopwatch.Elapsed);
    }

    private static async Task<string> DrainAsync(Task<string> read)
    {
        try
        {
            return await read.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return "(output not closed 5 s after exit: a descendant still holds it)";
        }
    }
}
