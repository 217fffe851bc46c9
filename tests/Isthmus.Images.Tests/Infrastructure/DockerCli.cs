using Isthmus.Testing.Network;

namespace Isthmus.Images.Tests.Infrastructure;

/// <summary>
/// The <c>docker</c> command line against the engine the environment names (DOCKER_HOST, else the default socket).
/// Builds use the legacy builder, which every docker client has and which pulls nothing but the FROM images.
/// </summary>
public static class DockerCli
{
    /// <summary>Set to 1 to make <see cref="SkipIfCannotRun"/> fail instead of skip; CI=true does the same.</summary>
    public const string RequireVariable = "ISTHMUS_REQUIRE_DOCKER";

    private static readonly Lazy<string?> CannotRunReason = new(ComputeWhyCannotRun);

    private static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DOCKER_BUILDKIT"] = "0",
    };

    /// <summary>Why no image test can run here (no docker command, no engine answering), or null when they can.</summary>
    public static string? WhyCannotRun() => CannotRunReason.Value;

    /// <summary>
    /// Skips the calling test with the reason from <see cref="WhyCannotRun"/>, or fails it when CI=true or
    /// <see cref="RequireVariable"/> is 1, so that CI cannot pass without building and starting the images.
    /// </summary>
    public static void SkipIfCannotRun()
    {
        string? reason = WhyCannotRun();
        if (reason is null)
        {
            return;
        }

        if (System.Environment.GetEnvironmentVariable("CI") == "true" || System.Environment.GetEnvironmentVariable(RequireVariable) == "1")
        {
            Assert.Fail($"a Docker engine is required here (CI=true or {RequireVariable}=1) but: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>Runs <c>docker <paramref name="args"/></c> with a 60 s timeout.</summary>
    public static Task<ProcessResult> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(60), args);

    /// <summary>Runs <c>docker <paramref name="args"/></c>; a command still running at <paramref name="timeout"/> is killed.</summary>
    public static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] args) =>
        ProcessRunner.RunAsync(["docker", .. args], Environment, timeout, CancellationToken.None);

    /// <summary>Runs <c>docker <paramref name="args"/></c> and returns its trimmed standard output, or throws with the whole result.</summary>
    public static async Task<string> OutputAsync(params string[] args) =>
        (await RunAsync(args).ConfigureAwait(false)).EnsureSuccess().StandardOutput.Trim();

    private static string? ComputeWhyCannotRun()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the image tests need Linux";
        }

        bool onPath = (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, "docker")));
        if (!onPath)
        {
            return "the docker command is not on PATH (apt-get install docker.io, or run scripts/setup.sh)";
        }

        ProcessResult version = RunAsync(TimeSpan.FromSeconds(20), "version", "--format", "{{.Server.Version}}").GetAwaiter().GetResult();
        if (!version.Succeeded)
        {
            string detail = (version.StandardError.Trim() + " " + version.StandardOutput.Trim()).Trim();
            return $"no Docker engine is reachable ({detail}); start one, e.g. with scripts/images.sh --keep-engine";
        }

        return null;
    }
}
