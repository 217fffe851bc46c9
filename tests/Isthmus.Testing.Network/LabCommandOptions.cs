namespace Isthmus.Testing.Network;

/// <summary>Options for a command run or started inside a lab namespace.</summary>
public sealed record LabCommandOptions
{
    /// <summary>Default options: 30 s timeout, no extra environment, new session for started processes.</summary>
    public static LabCommandOptions Default { get; } = new();

    /// <summary>How long <see cref="NetworkLab.ExecAsync(string, LabCommandOptions, string[])"/> waits before killing the command.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Environment variables added to (or overriding) the harness's environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>
    /// For <see cref="NetworkLab.StartProcess(string, LabCommandOptions, string[])"/>: start under <c>setsid</c> so the
    /// process leads its own process group, which is then signalled as a whole on stop.
    /// </summary>
    public bool NewSession { get; init; } = true;
}
