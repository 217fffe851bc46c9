using Isthmus.Dataplane.Cli;
using Isthmus.Dataplane.Hosting;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancellation.Cancel();
};

return await DataplaneCli.RunAsync(args, DpdkDataplane.Register(BackendFactory.CreateDefault()), Console.Out, Console.Error, cancellation.Token);
