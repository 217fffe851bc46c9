namespace Isthmus.IkeDaemon;

/// <summary>
/// Line-oriented log on standard error: time, level, the tunnel it concerns, and the message.
/// Nothing secret is passed here except through <see cref="Keys"/>, which writes only when the
/// operator asked for key logging explicitly (--debug-keys).
/// </summary>
public sealed class Log(bool debugKeys, TextWriter? writer = null)
{
    private readonly TextWriter _out = writer ?? Console.Error;
    private readonly Lock _lock = new();

    public bool KeysEnabled => debugKeys;

    public void Info(string scope, string message) => Write("INFO ", scope, message);
    public void Warn(string scope, string message) => Write("WARN ", scope, message);
    public void Error(string scope, string message) => Write("ERROR", scope, message);

    /// <summary>Derived keys, for comparison with a peer's log while debugging interop. Off unless --debug-keys.</summary>
    public void Keys(string scope, string message)
    {
        if (debugKeys) Write("KEYS ", scope, message);
    }

    private void Write(string level, string scope, string message)
    {
        lock (_lock)
        {
            _out.WriteLine($"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level} [{scope}] {message}");
            _out.Flush();
        }
    }
}
