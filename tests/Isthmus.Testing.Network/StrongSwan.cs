using System.Globalization;
using System.Text;

namespace Isthmus.Testing.Network;

/// <summary>
/// A strongSwan charon daemon running in one namespace of a <see cref="NetworkLab"/>, controlled with swanctl
/// over its own vici socket. The kernel here has no ESP, so charon uses kernel-libipsec (userspace ESP on a TUN
/// device <c>ipsec0</c>). libipsec can only do UDP-encapsulated ESP, so charon fakes NAT detection: the IKE SA
/// moves to port 4500 after IKE_SA_INIT and every Child SA is UDP-encapsulated (RFC 3948).
/// </summary>
public sealed class StrongSwan : IAsyncDisposable
{
    private readonly NetworkLab _lab;
    private readonly LabProcess _charon;
    private readonly Dictionary<string, string> _environment;
    private int _disposed;

    private StrongSwan(NetworkLab lab, string ns, string directory, LabProcess charon)
    {
        _lab = lab;
        Namespace = ns;
        Directory = directory;
        _charon = charon;
        _environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["STRONGSWAN_CONF"] = ConfigPath };
    }

    /// <summary>The namespace charon runs in.</summary>
    public string Namespace { get; }

    /// <summary>Per-instance directory (inside the lab's work directory).</summary>
    public string Directory { get; }

    /// <summary>The generated strongswan.conf (also exported as STRONGSWAN_CONF to swanctl).</summary>
    public string ConfigPath => Path.Combine(Directory, "strongswan.conf");

    /// <summary>charon's file log.</summary>
    public string LogPath => Path.Combine(Directory, "charon.log");

    /// <summary>charon's vici socket.</summary>
    public string ViciSocketPath => Path.Combine(Directory, "charon.vici");

    /// <summary>
    /// The swanctl directory: swanctl.conf plus the usual credential folders (x509, x509ca, private, ...), where
    /// tests may place certificates and keys before calling <see cref="LoadConfigAsync"/>.
    /// </summary>
    public string SwanctlDirectory => Path.Combine(Directory, "swanctl");

    /// <summary>charon's PID.</summary>
    public int Pid => _charon.Pid;

    /// <summary>True while charon runs.</summary>
    public bool IsRunning => !_charon.HasExited;

    /// <summary>
    /// Writes strongswan.conf, starts charon in <paramref name="ns"/> (in a private mount namespace with tmpfs on
    /// /run so several daemons do not share pid files and sockets), waits until vici answers, and loads
    /// <paramref name="swanctlConf"/> with <c>swanctl --load-all</c>.
    /// </summary>
    public static async Task<StrongSwan> StartAsync(
        NetworkLab lab,
        string ns,
        string swanctlConf,
        StrongSwanOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= StrongSwanOptions.Default;
        string directory = lab.CreateDirectory($"swan-{ns}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2))}");
        string swanctlDirectory = Path.Combine(directory, "swanctl");
        foreach (string sub in new[] { "x509", "x509ca", "x509ocsp", "x509aa", "x509ac", "x509crl", "pubkey", "private", "rsa", "ecdsa", "bliss", "pkcs8", "pkcs12" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(swanctlDirectory, sub));
        }

        string configPath = Path.Combine(directory, "strongswan.conf");
        await File.WriteAllTextAsync(configPath, BuildStrongSwanConf(directory, options), cancellationToken).ConfigureAwait(false);

        LabProcess charon = lab.StartProcess(
            ns,
            new LabCommandOptions { Environment = new Dictionary<string, string> { ["STRONGSWAN_CONF"] = configPath } },
            "unshare", "-m", "sh", "-c",
            $"mount -t tmpfs none /var/run && mount -t tmpfs none /run && exec {NetworkLab.CharonPath}");
        var swan = new StrongSwan(lab, ns, directory, charon);
        try
        {
            await swan.WaitUntilReadyAsync(options.StartTimeout, cancellationToken).ConfigureAwait(false);
            await swan.LoadConfigAsync(swanctlConf, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await swan.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return swan;
    }

    /// <summary>Replaces the loaded configuration: writes swanctl.conf and runs <c>swanctl --load-all</c> (which also unloads what the file no longer has).</summary>
    /// <exception cref="InvalidOperationException">swanctl rejected the configuration (message has swanctl's output, not the file).</exception>
    public async Task LoadConfigAsync(string swanctlConf, CancellationToken cancellationToken = default)
    {
        string path = Path.Combine(SwanctlDirectory, "swanctl.conf");
        await File.WriteAllTextAsync(path, swanctlConf, cancellationToken).ConfigureAwait(false);
        ProcessResult result = await SwanctlAsync(TimeSpan.FromSeconds(20), "--load-all", "--file", path).ConfigureAwait(false);
        if (!result.Succeeded || result.StandardOutput.Contains("failed", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"swanctl --load-all failed in {Namespace}:\n{result.Describe()}");
        }
    }

    /// <summary>
    /// <c>swanctl --initiate --child <paramref name="child"/> [--ike <paramref name="ike"/>] --timeout N</c>: blocks until the
    /// Child SA is up or fails. Returns the result (with charon's log lines in stdout) for the caller to assert on.
    /// </summary>
    public Task<ProcessResult> InitiateAsync(string child, string? ike, TimeSpan timeout)
    {
        string seconds = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        string[] args = ike is null
            ? ["--initiate", "--child", child, "--timeout", seconds]
            : ["--initiate", "--child", child, "--ike", ike, "--timeout", seconds];
        return SwanctlAsync(timeout + TimeSpan.FromSeconds(5), args);
    }

    /// <summary><c>swanctl --terminate --ike <paramref name="ike"/></c> (sends the IKE SA DELETE and waits up to 10 s).</summary>
    public Task<ProcessResult> TerminateIkeAsync(string ike) =>
        SwanctlAsync(TimeSpan.FromSeconds(15), "--terminate", "--ike", ike, "--timeout", "10");

    /// <summary><c>swanctl --terminate --child <paramref name="child"/></c>.</summary>
    public Task<ProcessResult> TerminateChildAsync(string child) =>
        SwanctlAsync(TimeSpan.FromSeconds(15), "--terminate", "--child", child, "--timeout", "10");

    /// <summary><c>swanctl --rekey --child <paramref name="child"/></c> (asynchronous in charon: poll <see cref="ListSasAsync"/>).</summary>
    public Task<ProcessResult> RekeyChildAsync(string child) => SwanctlAsync(TimeSpan.FromSeconds(15), "--rekey", "--child", child);

    /// <summary><c>swanctl --rekey --ike <paramref name="ike"/></c> (asynchronous in charon).</summary>
    public Task<ProcessResult> RekeyIkeAsync(string ike) => SwanctlAsync(TimeSpan.FromSeconds(15), "--rekey", "--ike", ike);

    /// <summary>Runs any swanctl command against this daemon.</summary>
    public Task<ProcessResult> SwanctlAsync(TimeSpan timeout, params string[] args)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _lab.ExecAsync(Namespace, new LabCommandOptions { Timeout = timeout, Environment = _environment }, ["swanctl", .. args]);
    }

    /// <summary>Lists IKE SAs and their Child SAs (<c>swanctl --list-sas --pretty</c>).</summary>
    /// <exception cref="InvalidOperationException">swanctl failed.</exception>
    /// <exception cref="FormatException">The output could not be parsed.</exception>
    public async Task<IReadOnlyList<SwanIkeSa>> ListSasAsync()
    {
        ProcessResult result = (await SwanctlAsync(TimeSpan.FromSeconds(15), "--list-sas", "--pretty").ConfigureAwait(false)).EnsureSuccess();
        return SwanctlOutputParser.ParseListSas(result.StandardOutput);
    }

    /// <summary>Polls <see cref="ListSasAsync"/> every 100 ms until an IKE SA satisfies <paramref name="predicate"/>.</summary>
    /// <exception cref="TimeoutException">None did within <paramref name="timeout"/>; the message lists what was seen.</exception>
    public async Task<SwanIkeSa> WaitForIkeSaAsync(Func<SwanIkeSa, bool> predicate, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<SwanIkeSa> last = [];
        while (true)
        {
            last = await ListSasAsync().ConfigureAwait(false);
            SwanIkeSa? match = last.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (DateTime.UtcNow >= deadline)
            {
                string seen = string.Join(", ", last.Select(s => $"{s.Name}[{s.UniqueId}] {s.State} children: {string.Join('/', s.ChildSas.Select(c => $"{c.Name}{{{c.UniqueId}}} {c.State}"))}"));
                throw new TimeoutException($"no matching IKE SA in {Namespace} after {timeout.TotalSeconds:F0} s; seen: [{seen}]");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    /// <summary>The whole charon log so far (test secrets included: <c>ike = 4</c> dumps them).</summary>
    public string ReadLog()
    {
        if (!File.Exists(LogPath))
        {
            return "";
        }

        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The last <paramref name="lines"/> log lines, for assertion messages.</summary>
    public string ReadLogTail(int lines = 60)
    {
        string[] all = ReadLog().Split('\n');
        return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
    }

    /// <summary>Child SA keys from the log, in order of establishment (see <see cref="StrongSwanLogParser.ParseChildKeys"/>).</summary>
    public IReadOnlyList<LoggedChildKeys> ParseChildKeysFromLog() => StrongSwanLogParser.ParseChildKeys(ReadLog());

    /// <summary>IKE SA keys from the log, in order of derivation (see <see cref="StrongSwanLogParser.ParseIkeKeys"/>).</summary>
    public IReadOnlyList<LoggedIkeKeys> ParseIkeKeysFromLog() => StrongSwanLogParser.ParseIkeKeys(ReadLog());

    /// <summary>Stops charon by PID (SIGTERM, then SIGKILL after 3 s). Files stay until the lab is disposed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _charon.StopAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"charon pid {Pid} in {Namespace}";

    internal static string BuildStrongSwanConf(string directory, StrongSwanOptions options)
    {
        var levels = new StringBuilder();
        foreach ((string group, int level) in options.LogLevels)
        {
            levels.Append(CultureInfo.InvariantCulture, $"      {group} = {level}\n");
        }

        return $$"""
            # Generated by the Isthmus interop harness.
            charon {
              load_modular = yes
              install_routes = yes
              plugins {
                include /etc/strongswan.d/charon/*.conf
                vici {
                  socket = unix://{{directory}}/charon.vici
                }
                kernel-libipsec {
                  load = yes
                }
              }
              filelog {
                log {
                  path = {{directory}}/charon.log
                  time_format = %H:%M:%S
                  ike_name = yes
                  append = no
                  flush_line = yes
            {{levels}}    }
                stderr {
                  default = 0
                }
              }
              syslog {
                daemon {
                  default = -1
                }
              }
            {{options.ExtraCharonSettings}}
            }
            swanctl {
              socket = unix://{{directory}}/charon.vici
            }

            """;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_charon.HasExited)
            {
                throw new InvalidOperationException(
                    $"charon in {Namespace} exited with {_charon.ExitCode} during start-up.\n--- output ---\n{_charon.Output}\n--- log ---\n{ReadLogTail()}");
            }

            if (File.Exists(ViciSocketPath))
            {
                ProcessResult stats = await SwanctlAsync(TimeSpan.FromSeconds(5), "--stats").ConfigureAwait(false);
                if (stats.Succeeded)
                {
                    return;
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(
                    $"charon in {Namespace} did not answer on {ViciSocketPath} within {timeout.TotalSeconds:F0} s.\n--- log ---\n{ReadLogTail()}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
