using Grpc.Core;
using Isthmus.Dataplane.Hosting;
using Isthmus.Dataplane.Protos;

namespace Isthmus.Dataplane.Cli;

/// <summary>
/// <c>isthmus-dataplane</c>: <c>serve</c> runs the dataplane with its control API;
/// <c>sas</c>, <c>policies</c>, <c>counters</c> and <c>events</c> query a running one.
/// </summary>
public static class DataplaneCli
{
    public const string DefaultSocket = "/run/isthmus/dataplane.sock";

    public const string Usage = """
        usage: isthmus-dataplane <command> [options]

          serve     --socket PATH --backend managed|dpdk [--backend-option KEY=VALUE ...]
                    run the dataplane and serve its control API on a Unix socket (mode 0600)
          sas       --socket PATH   list installed SAs (no keys), like 'ip xfrm state'
          policies  --socket PATH   list the SPD, like 'ip xfrm policy'
          counters  --socket PATH   per-SA packets, bytes and drops by reason
          events    --socket PATH   follow soft/hard expire and acquire events until Ctrl+C

        --socket defaults to /run/isthmus/dataplane.sock
        """;

    public static async Task<int> RunAsync(string[] args, BackendFactory backends, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var line = CommandLine.Parse(args);
        if (line.Error is not null)
        {
            await error.WriteLineAsync(line.Error).ConfigureAwait(false);
            await error.WriteAsync(Usage).ConfigureAwait(false);
            return 2;
        }

        string socket = line.Get("socket") ?? DefaultSocket;
        try
        {
            switch (line.Verb)
            {
                case "serve":
                    return await ServeAsync(line, socket, backends, error, cancellationToken).ConfigureAwait(false);
                case "sas":
                {
                    using var client = new DataplaneClient(socket);
                    await output.WriteAsync(Tables.Sas(await client.ListSasAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
                    return 0;
                }

                case "policies":
                {
                    using var client = new DataplaneClient(socket);
                    await output.WriteAsync(Tables.Policies(await client.ListPoliciesAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
                    return 0;
                }

                case "counters":
                {
                    using var client = new DataplaneClient(socket);
                    await output.WriteAsync(Tables.Counters(await client.GetCountersAsync(cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
                    return 0;
                }

                case "events":
                {
                    using var client = new DataplaneClient(socket);
                    await foreach (var dataplaneEvent in client.WatchEventsAsync(cancellationToken).ConfigureAwait(false))
                    {
                        await output.WriteLineAsync(Tables.Event(dataplaneEvent)).ConfigureAwait(false);
                    }

                    return 0;
                }

                case "help" or "--help" or "-h":
                    await output.WriteAsync(Usage).ConfigureAwait(false);
                    return 0;
                default:
                    await error.WriteLineAsync($"unknown command '{line.Verb}'").ConfigureAwait(false);
                    await error.WriteAsync(Usage).ConfigureAwait(false);
                    return 2;
            }
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
        {
            await error.WriteLineAsync($"cannot reach the dataplane on {socket}: {e.Status.Detail}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
    }

    private static async Task<int> ServeAsync(CommandLine line, string socket, BackendFactory backends, TextWriter error, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string option in line.GetAll("backend-option"))
        {
            int equals = option.IndexOf('=');
            if (equals <= 0)
            {
                await error.WriteLineAsync($"--backend-option '{option}' is not KEY=VALUE").ConfigureAwait(false);
                return 2;
            }

            settings[option[..equals]] = option[(equals + 1)..];
        }

        string? directory = Path.GetDirectoryName(Path.GetFullPath(socket));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        using var loggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var backend = backends.TryCreate(line.Get("backend") ?? "managed", new BackendOptions(settings, loggerFactory), out string problem);
        if (backend is null)
        {
            await error.WriteLineAsync(problem).ConfigureAwait(false);
            return 2;
        }

        await using (backend.ConfigureAwait(false))
        {
            await using var server = await DataplaneServer.StartAsync(socket, backend, cancellationToken: cancellationToken).ConfigureAwait(false);
            loggerFactory.CreateLogger("isthmus-dataplane").LogInformation("serving the {Backend} backend on {Socket}", backend.Name, socket);
            await server.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
