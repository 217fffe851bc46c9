using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Isthmus.IkeDaemon.Control;

/// <summary>
/// The daemon's control socket (a Unix stream socket, mode 0600): one request line per
/// connection ("list-sas"), one JSON document back. Only root on the node can reach it.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };
    private readonly Socket _listener;
    private readonly string _path;
    private readonly Func<Task<DaemonSnapshot>> _snapshot;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ControlServer(string path, Func<Task<DaemonSnapshot>> snapshot)
    {
        _path = path;
        _snapshot = snapshot;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (File.Exists(path)) File.Delete(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(16);
    }

    public void Start() => _loop = AcceptLoop();

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Serve(client);
        }
    }

    private async Task Serve(Socket client)
    {
        using (client)
        await using (var stream = new NetworkStream(client))
        {
            try
            {
                using var reader = new StreamReader(stream, Encoding.UTF8, leaveOpen: true);
                var line = (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(5)))?.Trim();
                string reply = line switch
                {
                    "list-sas" => JsonSerializer.Serialize(await _snapshot(), Json),
                    _ => JsonSerializer.Serialize(new { error = $"unknown command '{line}'" }, Json),
                };
                var bytes = Encoding.UTF8.GetBytes(reply + "\n");
                await stream.WriteAsync(bytes);
            }
            catch (Exception e) when (e is IOException or TimeoutException or SocketException)
            {
                // A client that went away or never spoke: nothing to do.
            }
        }
    }

    /// <summary>Client side, used by `isthmus-iked list-sas`.</summary>
    public static async Task<string> RequestAsync(string path, string command, CancellationToken ct = default)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
        await using var stream = new NetworkStream(socket);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\n"), ct);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (_loop is not null) await _loop;
        try { File.Delete(_path); } catch (IOException) { }
        _stop.Dispose();
    }
}
