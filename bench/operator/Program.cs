using System.Diagnostics;
using System.Text.Json.Nodes;
using Isthmus.KubeApiDouble;
using Isthmus.Operator;
using Isthmus.Operator.Bench;
using Isthmus.Operator.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

// Benchmark (not a test): N IpsecTunnels over M gateway nodes reconciled by the real operator against the
// API-server double. Phase 1: cold start with every tunnel present. Phase 2: every tunnel's spec changes at once.
// Converged = every tunnel Accepted=True and Scheduled=True with status.observedGeneration = metadata.generation.
if (args is ["-h" or "--help"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

var options = BenchOptions.Parse(args, out var error);
if (options is null)
{
    Console.Error.WriteLine($"bench: {error}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

const string OperatorNamespace = "isthmus-system";
const string SlotLabel = "bench.isthmus.dev/slot";
await using var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { BookmarkInterval = TimeSpan.FromSeconds(5) });
var store = api.Store;
store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = OperatorNamespace } });
for (var n = 0; n < options.Nodes; n++)
{
    store.Seed(new JsonObject
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject
        {
            ["name"] = $"gw-{n:D2}",
            ["labels"] = new JsonObject { ["ipsec.isthmus.dev/gateway"] = "true", [SlotLabel] = n.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        },
        ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }) },
    });
}

store.Seed(new JsonObject
{
    ["apiVersion"] = "v1",
    ["kind"] = "Secret",
    ["metadata"] = new JsonObject { ["name"] = "bench-psk", ["namespace"] = "default" },
    ["stringData"] = new JsonObject { ["psk"] = "bench-pre-shared-key-0123456789abcdef" },
});
for (var i = 0; i < options.Tunnels; i++)
{
    store.Seed(Tunnel(i, options.Nodes));
}

Console.WriteLine($"bench: {options.Tunnels} tunnels over {options.Nodes} nodes, {options.Workers} workers, operator {(options.InProcess ? "in-process" : "as a process")}, API double at {api.BaseUri}");

using var stop = new CancellationTokenSource();
Process? process = null;
Task operatorRun;
var operatorOptions = new OperatorOptions
{
    Server = api.BaseUri.ToString().TrimEnd('/'),
    Namespace = OperatorNamespace,
    Identity = "bench",
    LeaderElection = false,
    Workers = options.Workers,
    MetricsPort = 0,
    LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning,
};
var clock = Stopwatch.StartNew();
if (options.InProcess)
{
    operatorRun = Task.Run(() => OperatorHost.RunAsync(operatorOptions, stop.Token, NullLoggerFactory.Instance));
}
else
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in new[]
    {
        OperatorDll(), "--server", operatorOptions.Server, "--namespace", OperatorNamespace, "--identity", "bench", "--leader-elect", "false",
        "--workers", options.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture), "--metrics-port", "0", "--log-level", "Warning", "--log-format", "text",
        "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01",
    })
    {
        start.ArgumentList.Add(a);
    }

    process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    process.OutputDataReceived += (_, e) => { };
    process.ErrorDataReceived += (_, e) =>
    {
        if (e.Data is not null)
        {
            Console.Error.WriteLine("operator: " + e.Data);
        }
    };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    operatorRun = process.WaitForExitAsync();
}

var exit = 0;
using (var memory = new MemorySampler(process))
{
    var phase1 = await WaitConverged("phase 1 (cold start)");
    if (phase1 is null)
    {
        exit = 1;
    }
    else
    {
        var writesBefore = api.WriteCount();
        var changeStart = clock.Elapsed;
        foreach (var t in store.ReadAll(ApiResources.IpsecTunnels))
        {
            store.Mutate(ApiResources.IpsecTunnels, "default", (string)t["metadata"]!["name"]!,
                o => o["spec"]!["child"]!["rekeyTime"] = "50m");
        }

        var phase2 = await WaitConverged("phase 2 (every spec changed)");
        exit = phase2 is null ? 1 : 0;
        if (phase2 is not null)
        {
            Console.WriteLine($"bench: phase 2 converged {(phase2.Value - changeStart).TotalSeconds:F2} s after the changes; {api.WriteCount() - writesBefore} API writes");
        }
    }

    await stop.CancelAsync();
    if (process is not null)
    {
        var kernelPeak = memory.KernelPeakBytes;
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await memory.DisposeAsync();
        Console.WriteLine($"bench: operator process peak working set {Mb(kernelPeak ?? memory.PeakWorkingSetBytes)} (VmHWM), sampled peak RSS {Mb(memory.PeakWorkingSetBytes)}");
    }
    else
    {
        await operatorRun.WaitAsync(TimeSpan.FromSeconds(30));
        await memory.DisposeAsync();
        Console.WriteLine($"bench: in-process peak working set {Mb(memory.PeakWorkingSetBytes)}, peak GC heap {Mb(memory.PeakGcHeapBytes)} (both include the API double and its {options.Tunnels} stored tunnels)");
    }
}

Console.WriteLine($"bench: API requests {api.Requests.Count}, writes {api.WriteCount()}, node config Secrets {store.ReadAll(ApiResources.Secrets, OperatorNamespace).Count}, IKE pods {store.ReadAll(ApiResources.Pods, OperatorNamespace).Count}");
return exit;

async Task<TimeSpan?> WaitConverged(string phase)
{
    var deadline = clock.Elapsed + options.Timeout;
    var lastReport = TimeSpan.Zero;
    while (clock.Elapsed < deadline)
    {
        var tunnels = store.ReadAll(ApiResources.IpsecTunnels);
        var done = tunnels.Count(Converged);
        if (done == tunnels.Count)
        {
            Console.WriteLine($"bench: {phase}: all {done} tunnels converged at {clock.Elapsed.TotalSeconds:F2} s");
            return clock.Elapsed;
        }

        if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
        {
            Console.WriteLine($"bench: {phase}: {done}/{tunnels.Count} converged at {clock.Elapsed.TotalSeconds:F1} s");
            lastReport = clock.Elapsed;
        }

        if (operatorRun.IsCompleted)
        {
            Console.Error.WriteLine($"bench: {phase}: the operator stopped before convergence");
            return null;
        }

        await Task.Delay(100);
    }

    Console.Error.WriteLine($"bench: {phase}: not converged within {options.Timeout.TotalSeconds} s");
    return null;
}

static bool Converged(JsonObject t)
{
    var conditions = t["status"]?["conditions"] as JsonArray;
    string? Status(string type) => conditions?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();
    return Status("Accepted") == "True" && Status("Scheduled") == "True"
        && t["status"]?["observedGeneration"]?.GetValue<long>() == t["metadata"]!["generation"]!.GetValue<long>();
}

static JsonObject Tunnel(int i, int nodes)
{
    var spec = JsonNode.Parse($$"""
        {
          "startAction": "Initiate",
          "nodeSelector": { "{{SlotLabel}}": "{{i % nodes}}" },
          "local": { "address": "192.0.2.10", "id": { "type": "FQDN", "value": "hq.example.com" } },
          "peer": { "address": "198.51.{{100 + i / 250}}.{{i % 250 + 1}}", "id": { "type": "FQDN", "value": "branch-{{i}}.example.com" } },
          "authentication": { "method": "Psk", "psk": { "secretRef": { "name": "bench-psk", "key": "psk" } } },
          "ike": { "proposals": ["aes256gcm16-prfsha384-ecp384"] },
          "child": { "proposals": ["aes256gcm16-ecp384"], "rekeyTime": "1h" },
          "trafficSelectors": { "inline": { "local": [ { "cidr": "10.0.0.0/16" } ], "remote": [ { "cidr": "10.{{1 + i / 256}}.{{i % 256}}.0/24" } ] } }
        }
        """)!;
    return new JsonObject
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = $"tunnel-{i:D4}", ["namespace"] = "default" },
        ["spec"] = spec,
    };
}

static string Mb(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";

// The operator's own build output (same configuration), as the integration tests use it.
static string OperatorDll()
{
    var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
    var root = baseDir;
    while (root is not null && !File.Exists(Path.Combine(root.FullName, "Operator.sln")))
    {
        root = root.Parent;
    }

    if (root is null)
    {
        throw new InvalidOperationException("Operator.sln not found above " + AppContext.BaseDirectory);
    }

    var dll = Path.Combine(root.FullName, "operator", "Isthmus.Operator", "bin", baseDir.Parent!.Name, baseDir.Name, "isthmus-operator.dll");
    return File.Exists(dll) ? dll : throw new FileNotFoundException("build the operator first (dotnet build operator/Isthmus.Operator -c <same configuration>)", dll);
}
