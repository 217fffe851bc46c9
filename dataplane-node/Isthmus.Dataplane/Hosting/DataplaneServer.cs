using Isthmus.Dataplane.Api;
using Isthmus.Esp;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Isthmus.Dataplane.Hosting;

/// <summary>
/// Hosts the control API for a backend on a Unix domain socket (HTTP/2, gRPC). The socket file is
/// made owner-only (0600) once it exists; a stale file from an earlier run is replaced.
/// </summary>
public sealed class DataplaneServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private DataplaneServer(WebApplication app, string socketPath)
    {
        this.app = app;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Starts serving <paramref name="backend"/> on <paramref name="socketPath"/>.</summary>
    public static async Task<DataplaneServer> StartAsync(string socketPath, IEspBackend backend, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        ArgumentNullException.ThrowIfNull(backend);
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logging is not null)
        {
            logging(builder.Logging);
        }
        else
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(backend);
        var app = builder.Build();
        app.MapGrpcService<DataplaneService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        return new DataplaneServer(app, socketPath);
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, Ctrl+C).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }
    }
}
