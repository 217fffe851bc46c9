using System.Globalization;
using System.Runtime.InteropServices;
using Isthmus.KubeApiDouble;
using Isthmus.ApiExtensions.Manifests;

const string Usage = """
    isthmus-kube-double: the Isthmus Kubernetes API-server test double as a process, for kubectl and demos
    (HTTP on 127.0.0.1, no authentication, objects in memory only).

    usage: isthmus-kube-double [--port N] [--kubeconfig PATH] [--namespace NS] [--crd FILE ...] [--seed FILE ...]
      --port N          loopback TCP port (default 0: any free port)
      --kubeconfig PATH write a kubeconfig for this server there once it listens (written last: wait for it)
      --namespace NS    the kubeconfig context's namespace (default "default")
      --crd FILE        serve the custom resource a CustomResourceDefinition YAML defines (names, status
                        subresource, printer columns, schema) in place of the built-in stand-in; the CRD is
                        validated as the API server validates it (CEL cost budget included), and writes of
                        the resource are checked against its schema and CEL rules
      --seed FILE       store the objects of a YAML file as fixtures, status included (e.g. Ready Nodes)
    Runs until SIGTERM or Ctrl-C.
    """;

var port = 0;
string? kubeconfig = null;
var ns = "default";
var crdFiles = new List<string>();
var seedFiles = new List<string>();
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--port":
                var text = Value();
                port = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535
                    ? p : throw new FormatException($"--port: '{text}' is not a port");
                break;
            case "--kubeconfig": kubeconfig = Value(); break;
            case "--namespace": ns = Value(); break;
            case "--crd": crdFiles.Add(Value()); break;
            case "--seed": seedFiles.Add(Value()); break;
            case "-h" or "--help":
                Console.WriteLine(Usage);
                return 0;
            default: throw new FormatException($"unknown flag '{args[i]}'");
        }
    }

    var crds = crdFiles.SelectMany(YamlManifests.Read).Select(CustomResourceDefinitions.ToApiResource).ToList();
    var seeds = seedFiles.SelectMany(YamlManifests.Read).ToList();
    var options = new KubeApiServerOptions { Port = port, Resources = CustomResourceDefinitions.Replace(ApiResources.All, crds) };
    await using var server = await KubeApiServer.StartAsync(options);
    foreach (var obj in seeds)
    {
        server.Store.Seed(obj);
    }

    foreach (var r in crds)
    {
        Console.WriteLine($"serving {r.QualifiedName} ({r.ApiVersion}, {r.PrinterColumns.Count} printer columns)");
    }

    Console.WriteLine($"seeded {seeds.Count} objects");
    if (kubeconfig is not null)
    {
        // Written to a temporary name and renamed, so a reader never sees half a file.
        server.WriteKubeconfig(kubeconfig + ".tmp", ns);
        File.Move(kubeconfig + ".tmp", kubeconfig, overwrite: true);
    }

    Console.WriteLine($"listening on {server.BaseUri}");
    var stop = new TaskCompletionSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.TrySetResult();
    };
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
    {
        ctx.Cancel = true;
        stop.TrySetResult();
    });
    await stop.Task;
    Console.WriteLine($"stopping after {server.Requests.Count} requests");
    return 0;
}
catch (Exception e) when (e is FormatException or ArgumentException or IOException)
{
    Console.Error.WriteLine("isthmus-kube-double: " + e.Message);
    return 2;
}
