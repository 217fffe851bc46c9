namespace Isthmus.Testing.Network;

/// <summary>
/// Outcome of one finished (or timed-out) command run by the harness.
/// </summary>
/// <param name="Command">The argv that was run, for diagnostics.</param>
/// <param name="ExitCode">Exit code; -1 when the command timed out and was killed.</param>
/// <param name="StandardOutput">Everything the command wrote to stdout.</param>
/// <param name="StandardError">Everything the command wrote to stderr.</param>
/// <param name="TimedOut">True when the harness killed the command at its timeout.</param>
/// <param name="Duration">Wall time from start to exit (or kill).</param>
public sealed record ProcessResult(
    IReadOnlyList<string> Command,
    int ExitCode,
    string StandardOutput,
    string StandardError,
    bool TimedOut,
    TimeSpan Duration)
{
    /// <summary>True when the command exited with code 0 before its timeout.</summary>
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>Returns this result, or throws <see cref="InvalidOperationException"/> describing the failure.</summary>
    public ProcessResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new InvalidOperationException(Describe());
        }

        return this;
    }

    /// <summary>A multi-line description (command, exit status, output) for assertion messages.</summary>
    public string Describe()
    {
        string status = TimedOut ? $"timed out after {Duration.TotalSeconds:F1} s" : $"exited with {ExitCode}";
        return $"`{string.Join(' ', Command)}` {status}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"`{string.Join(' ', Command)}` -> {(TimedOut ? "timeout" : ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}";
}
