using System.Diagnostics;
using System.Text;

namespace Isthmus.Testing.Network;

/// <summary>
/// A long-running process the harness started inside a namespace. It is stopped by PID (and, when started
/// under <c>setsid</c>, by its process group) when stopped or disposed, never by name.
/// </summary>
public sealed class LabProcess : IAsyncDisposable
{
    private const int MaxCapturedChars = 1 << 20;

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly object _outputLock = new();
    private readonly bool _ownsGroup;
    private int _stopped;

    private LabProcess(Process process, string ns, IReadOnlyList<string> command, bool ownsGroup, long startTime)
    {
        _process = process;
        Namespace = ns;
        Command = command;
        _ownsGroup = ownsGroup;
        Pid = process.Id;
        StartTime = startTime;
    }

    /// <summary>The PID (with <c>setsid</c>, also the process group id) of the started process.</summary>
    public int Pid { get; }

    /// <summary>The namespace the process runs in.</summary>
    public string Namespace { get; }

    /// <summary>The full argv that was started, including the <c>ip netns exec</c> prefix.</summary>
    public IReadOnlyList<string> Command { get; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, or null while the process runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    internal long StartTime { get; }

    /// <summary>What the process wrote to stdout and stderr so far (the last 1 MiB), interleaved by line.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    internal static LabProcess Start(string ns, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? environment, bool newSession)
    {
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo(argv, environment), EnableRaisingEvents = true };
        process.Start();
        process.StandardInput.Close();

        // setsid does not fork when its caller is not a group leader (a .NET child never is), so the PID
        // started here is the session and group leader that later execs into the real program.
        var handle = new LabProcess(process, ns, argv, newSession, Posix.StartTime(process.Id) ?? 0);
        process.OutputDataReceived += (_, e) => handle.Append(e.Data);
        process.ErrorDataReceived += (_, e) => handle.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return handle;
    }

    /// <summary>Waits until the process exits.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>
    /// Sends SIGTERM (to the PID and its process group), waits up to <paramref name="grace"/> (default 3 s),
    /// then SIGKILLs what is left. Safe to call more than once.
    /// </summary>
    public async Task StopAsync(TimeSpan? grace = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            Signal(Posix.SigTerm);
            using var graceSource = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(3));
            try
            {
                await _process.WaitForExitAsync(graceSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Signal(Posix.SigKill);
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        // Helpers the program forked stay in its group after it exits: remove them too.
        if (_ownsGroup)
        {
            Posix.SignalGroup(Pid, Posix.SigKill);
        }

        _process.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"pid {Pid} in {Namespace}: {string.Join(' ', Command)}";

    private void Signal(int signal)
    {
        if (_ownsGroup)
        {
            Posix.SignalGroup(Pid, signal);
        }

        Posix.SignalProcess(Pid, signal);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
            if (_output.Length > MaxCapturedChars)
            {
                _output.Remove(0, _output.Length - MaxCapturedChars);
            }
        }
    }
}
