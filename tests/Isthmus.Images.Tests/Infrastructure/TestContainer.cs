using System.Globalization;
using System.Security.Cryptography;
using Isthmus.Testing.Network;

namespace Isthmus.Images.Tests.Infrastructure;

/// <summary>
/// One container a test created: named <c>isth-img-&lt;6 hex&gt;-&lt;role&gt;</c>, labelled with the test host that owns
/// it, and removed with its anonymous volumes on dispose. Containers whose owning test host is gone (a crashed run)
/// are removed by the next run's first <see cref="CreateAsync"/>; only containers owned from this PID namespace are
/// considered, and a container whose owner still runs is never touched.
/// </summary>
public sealed class TestContainer : IAsyncDisposable
{
    /// <summary>The label every test container carries: the owning test host as "PID START-TIME PID-NAMESPACE".</summary>
    public const string OwnerLabel = "dev.isthmus.images-test.owner";

    private static readonly SemaphoreSlim SweepGate = new(1, 1);
    private static bool _swept;
    private int _disposed;

    private TestContainer(string name, string role)
    {
        Name = name;
        Role = role;
    }

    /// <summary>The container's name, e.g. <c>isth-img-1a2b3c-iked</c>.</summary>
    public string Name { get; }

    /// <summary>What the container is in the test (operator, iked, dataplane).</summary>
    public string Role { get; }

    /// <summary>
    /// <c>docker create</c> with <paramref name="options"/>, <paramref name="image"/> and <paramref name="command"/> (the
    /// arguments to the image's entrypoint); start it with <see cref="StartAsync"/>, after copying files in if needed.
    /// </summary>
    public static async Task<TestContainer> CreateAsync(string role, IReadOnlyList<string> options, string image, IReadOnlyList<string> command)
    {
        await SweepOrphansAsync().ConfigureAwait(false);
        string name = $"isth-img-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}-{role}";
        var container = new TestContainer(name, role);
        ProcessResult created = await DockerCli.RunAsync(
            ["create", "--name", name, "--label", $"{OwnerLabel}={OwnerValue()}", .. options, image, .. command]).ConfigureAwait(false);
        if (!created.Succeeded)
        {
            await container.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"docker create failed:\n{created.Describe()}");
        }

        return container;
    }

    /// <summary><c>docker cp</c> of a local file into the container (before start, also into a volume of a read-only container).</summary>
    public async Task CopyInAsync(string localPath, string containerPath) =>
        (await DockerCli.RunAsync("cp", localPath, $"{Name}:{containerPath}").ConfigureAwait(false)).EnsureSuccess();

    /// <summary><c>docker start</c>.</summary>
    public async Task StartAsync() => (await DockerCli.RunAsync("start", Name).ConfigureAwait(false)).EnsureSuccess();

    /// <summary><c>docker exec</c> of <paramref name="argv"/> in the running container.</summary>
    public Task<ProcessResult> ExecAsync(params string[] argv) => DockerCli.RunAsync(["exec", Name, .. argv]);

    /// <summary>A field of <c>docker inspect</c>, by Go template, e.g. <c>{{.State.Pid}}</c>.</summary>
    public Task<string> InspectAsync(string format) => DockerCli.OutputAsync("inspect", "--format", format, Name);

    /// <summary>The host PID of the container's first process (0 when it is not running).</summary>
    public async Task<int> PidAsync() => int.Parse(await InspectAsync("{{.State.Pid}}").ConfigureAwait(false), CultureInfo.InvariantCulture);

    /// <summary>True while the container runs.</summary>
    public async Task<bool> IsRunningAsync() => await InspectAsync("{{.State.Running}}").ConfigureAwait(false) == "true";

    /// <summary>What the container wrote to stdout and stderr so far (for assertion messages).</summary>
    public async Task<string> LogsAsync()
    {
        ProcessResult logs = await DockerCli.RunAsync("logs", "--tail", "200", Name).ConfigureAwait(false);
        return $"--- docker logs {Name} ---\n{logs.StandardOutput}{logs.StandardError}";
    }

    /// <summary>Removes the container (stopping it first) and its anonymous volumes.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DockerCli.RunAsync("rm", "--force", "--volumes", Name).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string OwnerValue()
    {
        int self = Environment.ProcessId;
        return string.Create(CultureInfo.InvariantCulture, $"{self} {StartTime(self)} {PidNamespace()}");
    }

    private static async Task SweepOrphansAsync()
    {
        await SweepGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_swept)
            {
                return;
            }

            _swept = true;
            ProcessResult listed = await DockerCli.RunAsync(
                "ps", "--all", "--filter", $"label={OwnerLabel}", "--format", $"{{{{.Names}}}}\t{{{{.Label \"{OwnerLabel}\"}}}}").ConfigureAwait(false);
            if (!listed.Succeeded)
            {
                return;
            }

            string ownNamespace = PidNamespace();
            foreach (string line in listed.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] fields = line.Split('\t');
                string[] owner = fields.Length == 2 ? fields[1].Split(' ') : [];
                if (owner.Length != 3 || owner[2] != ownNamespace
                    || !int.TryParse(owner[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    continue;
                }

                if (StartTime(pid) != owner[1])
                {
                    await DockerCli.RunAsync("rm", "--force", "--volumes", fields[0]).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            SweepGate.Release();
        }
    }

    /// <summary>Field 22 of /proc/PID/stat (start time in clock ticks), which tells a process from a later one with its PID; "gone" if none.</summary>
    private static string StartTime(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] rest = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return rest.Length > 19 ? rest[19] : "gone";
        }
        catch (IOException)
        {
            return "gone";
        }
    }

    private static string PidNamespace()
    {
        var link = new FileInfo("/proc/self/ns/pid");
        return link.LinkTarget ?? "unknown";
    }
}
