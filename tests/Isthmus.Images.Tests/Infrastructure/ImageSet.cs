using System.Security.Cryptography;
using Isthmus.Testing;
using Isthmus.Testing.Network;

[assembly: AssemblyFixture(typeof(Isthmus.Images.Tests.Infrastructure.ImageSet))]

namespace Isthmus.Images.Tests.Infrastructure;

/// <summary>
/// The three images under test, one per target of the repository's Dockerfile. A target whose variable
/// (<c>ISTHMUS_IMAGE_OPERATOR</c>, <c>ISTHMUS_IMAGE_IKED</c>, <c>ISTHMUS_IMAGE_DATAPLANE</c>) names an image uses that image;
/// any other is built here once, on first use, and removed when the tests end. Builds run one at a time, so the
/// shared build stage is built once and then taken from the cache.
/// <para>
/// CI builds the images while the tests' machine is being set up: <c>ISTHMUS_IMAGE_STATUS</c> then names a directory
/// where each build leaves <c>&lt;target&gt;.ok</c> or <c>&lt;target&gt;.failed</c> and its output in <c>&lt;target&gt;.log</c>, and
/// a test waits for its image's build to end.
/// </para>
/// <para>
/// The base images are build arguments: <c>ISTHMUS_BASE_DEBIAN</c> and <c>ISTHMUS_BASE_DOTNET_SDK</c> when set, else the
/// local bases scripts/images.sh makes (<see cref="LocalDebian"/>, <see cref="LocalDotnetSdk"/>) when the engine has
/// them, else the Dockerfile's defaults (which need a registry).
/// </para>
/// </summary>
public sealed class ImageSet : IAsyncDisposable
{
    /// <summary>The Debian 12 base scripts/lib/docker.sh imports from debootstrap.</summary>
    public const string LocalDebian = "isthmus-local/debian:bookworm";

    /// <summary>The .NET SDK image scripts/lib/docker.sh makes from that base and the machine's SDK.</summary>
    public const string LocalDotnetSdk = "isthmus-local/dotnet-sdk:10.0";

    /// <summary>The directory where CI's image builds report their end (see the class summary).</summary>
    public const string StatusVariable = "ISTHMUS_IMAGE_STATUS";

    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _images = new(StringComparer.Ordinal);
    private readonly List<string> _built = [];
    private readonly string _runId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    /// <summary>The operator image (target <c>operator</c>).</summary>
    public Task<string> OperatorAsync() => GetAsync("operator", "ISTHMUS_IMAGE_OPERATOR");

    /// <summary>The IKE daemon image (target <c>iked</c>).</summary>
    public Task<string> IkedAsync() => GetAsync("iked", "ISTHMUS_IMAGE_IKED");

    /// <summary>The dataplane image (target <c>dataplane</c>).</summary>
    public Task<string> DataplaneAsync() => GetAsync("dataplane", "ISTHMUS_IMAGE_DATAPLANE");

    /// <summary>Removes the images built here (not the ones named by the variables).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (string tag in _built)
        {
            await DockerCli.RunAsync("image", "rm", tag).ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    private async Task<string> GetAsync(string target, string variable)
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken).ConfigureAwait(false);
        try
        {
            if (_images.TryGetValue(target, out string? known))
            {
                return known;
            }

            string image = Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given
                ? await ExistingAsync(target, given, variable).ConfigureAwait(false)
                : await BuildAsync(target).ConfigureAwait(false);
            _images[target] = image;
            return image;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<string> ExistingAsync(string target, string image, string variable)
    {
        if (Environment.GetEnvironmentVariable(StatusVariable) is { Length: > 0 } status)
        {
            await WaitForBuildAsync(status, target).ConfigureAwait(false);
        }

        ProcessResult inspect = await DockerCli.RunAsync("image", "inspect", "--format", "{{.Id}}", image).ConfigureAwait(false);
        if (!inspect.Succeeded)
        {
            throw new InvalidOperationException($"{variable}={image}, but the engine has no such image:\n{inspect.Describe()}");
        }

        return image;
    }

    private static async Task WaitForBuildAsync(string status, string target)
    {
        DateTime deadline = DateTime.UtcNow + BuildTimeout;
        while (!File.Exists(Path.Combine(status, $"{target}.ok")))
        {
            if (File.Exists(Path.Combine(status, $"{target}.failed")))
            {
                string log = Path.Combine(status, $"{target}.log");
                string output = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(80)) : "(no build log)";
                throw new InvalidOperationException($"the {target} image did not build:\n{output}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"the {target} image's build did not end within {BuildTimeout.TotalMinutes:F0} minutes ({status})");
            }

            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string> BuildAsync(string target)
    {
        string root = RepositoryPaths.Root;
        string tag = $"isthmus-test/{target}:{_runId}";
        List<string> args = ["build", "--force-rm", "--target", target, "--tag", tag];
        args.AddRange(await BaseArgumentAsync("DEBIAN", "ISTHMUS_BASE_DEBIAN", LocalDebian).ConfigureAwait(false));
        args.AddRange(await BaseArgumentAsync("DOTNET_SDK", "ISTHMUS_BASE_DOTNET_SDK", LocalDotnetSdk).ConfigureAwait(false));
        args.Add(root);

        ProcessResult build = await DockerCli.RunAsync(BuildTimeout, [.. args]).ConfigureAwait(false);
        if (!build.Succeeded)
        {
            string output = string.Join('\n', (build.StandardOutput + build.StandardError).Split('\n').TakeLast(80));
            throw new InvalidOperationException($"`docker {string.Join(' ', args)}` failed (exit {build.ExitCode}):\n{output}");
        }

        _built.Add(tag);
        return tag;
    }

    private static async Task<string[]> BaseArgumentAsync(string argument, string variable, string local)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } given)
        {
            return ["--build-arg", $"{argument}={given}"];
        }

        ProcessResult inspect = await DockerCli.RunAsync("image", "inspect", "--format", "{{.Id}}", local).ConfigureAwait(false);
        return inspect.Succeeded ? ["--build-arg", $"{argument}={local}"] : [];
    }
}
