using System.Runtime.InteropServices;
using Isthmus.Operator;
using Isthmus.Operator.Hosting;

if (args is ["-h" or "--help" or "help"])
{
    Console.WriteLine(OperatorCommandLine.Usage);
    return 0;
}
if (!OperatorCommandLine.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine($"isthmus-operator: {error}");
    Console.Error.WriteLine("run 'isthmus-operator --help' for usage");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});
try
{
    await OperatorHost.RunAsync(options, stop.Token);
}
catch (k8s.Exceptions.KubeConfigException e)
{
    Console.Error.WriteLine($"isthmus-operator: cannot load the Kubernetes configuration: {e.Message}");
    return 1;
}
return 0;
