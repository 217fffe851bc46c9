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

          serve     --socket PATH --backend managed|dpdk [BACKEND OPTIONS] [-- EAL ARGUMENTS]
                    run the dataplane and serve its control API on a Unix socket (mode 0600)
          apply     --socket PATH --file FILE
                    install the statically keyed SAs and policies of a JSON file (see SaFile)
          sas       --socket PATH   list installed SAs (no keys), like 'ip xfrm state'
          policies  --socket PATH   list the SPD, like 'ip xfrm policy'
          counters  --socket PATH   per-SA packets, bytes and drops by reason
          events    --socket PATH   follow soft/hard expire and acquire events until Ctrl+C

        --socket defaults to /run/isthmus/dataplane.sock

        serve --backend dpdk options (also accepted as --backend-option NAME=VALUE):
          --clear-port DEV            clear (LAN) port: ethdev name (net_tap0, net_af_packet0, 0000:03:00.0) or number
          --cipher-port DEV           cipher (WAN) port
          --crypto-device NAME        cryptodev, e.g. crypto_aesni_gcm0, crypto_aesni_mb0, crypto_openssl0
          --cipher-next-hop-mac MAC   destination MAC of ESP frames (peer gateway or WAN router)
          --clear-next-hop-mac MAC    destination MAC of decrypted frames (default: the clear port's own, right for net_tap)
          --host-port DEV             port toward the kernel (net_tap) for IKE, NAT keepalives and ARP from the WAN
          --lcore N                   EAL worker lcore of the poll loop (default: the first worker, else a registered thread)
          --idle-sleep-us N           sleep N us when idle (default 0: poll without pause)
          --burst N  --mbufs N  --max-sas N
          -- EAL ARGUMENTS            passed to rte_eal_init unchanged, e.g.
                                      -- -l 0,1 --in-memory --no-pci --vdev net_tap0,iface=isth0
                                         --vdev net_af_packet0,iface=eth1 --vdev crypto_aesni_mb0
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
                case "apply":
                    return await ApplyAsync(line, socket, output, error, cancellationToken).ConfigureAwait(false);
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

    private static async Task<int> ApplyAsync(CommandLine line, string socket, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? path = line.Get("file");
        if (path is null)
        {
            await error.WriteLineAsync("apply needs --file FILE").ConfigureAwait(false);
            return 2;
        }

        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"cannot read {path}: {e.Message}").ConfigureAwait(false);
            return 2;
        }

        SaFile? file = SaFile.Parse(text, out string problem);
        if (file is null)
        {
            await error.WriteLineAsync($"{path}: {problem}").ConfigureAwait(false);
            return 2;
        }

        using var client = new DataplaneClient(socket);
        int refused = 0;
        foreach (var sa in file.Sas)
        {
            var result = await client.AddSaAsync(sa, cancellationToken).ConfigureAwait(false);
            refused += result.IsOk ? 0 : 1;
            await (result.IsOk ? output : error).WriteLineAsync(result.IsOk ? $"added {sa}" : $"{sa.Name}: {result.Error}: {result.Detail}").ConfigureAwait(false);
        }

        foreach (var policy in file.Policies)
        {
            var result = await client.AddPolicyAsync(policy, cancellationToken).ConfigureAwait(false);
            refused += result.IsOk ? 0 : 1;
            await (result.IsOk ? output : error).WriteLineAsync(result.IsOk ? $"added policy {policy}" : $"policy {policy.Id}: {result.Error}: {result.Detail}").ConfigureAwait(false);
        }

        return refused == 0 ? 0 : 1;
    }

    private static async Task<int> ServeAsync(CommandLine line, string socket, BackendFactory backends, TextWriter error, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in line.Names.Where(n => n is not ("socket" or "backend" or "backend-option")))
        {
            settings[name] = line.Get(name)!;
        }

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
        var backend = backends.TryCreate(line.Get("backend") ?? "managed", new BackendOptions(settings, loggerFactory) { PassThrough = line.PassThrough }, out string problem);
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
