using Grpc.Core;
using Isthmus.Dataplane.Protos;
using Isthmus.Esp;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>A running <c>isthmus-dataplane serve --backend dpdk</c> in a gateway namespace, and a control client on its socket.</summary>
public sealed class DataplaneGateway : IDisposable
{
    public DataplaneGateway(string ns, string socketPath, LabProcess process)
    {
        Namespace = ns;
        SocketPath = socketPath;
        Process = process;
        Client = new DataplaneClient(socketPath);
    }

    public string Namespace { get; }

    public string SocketPath { get; }

    /// <summary>The dataplane process (stopped by PID when the lab is disposed).</summary>
    public LabProcess Process { get; }

    public DataplaneClient Client { get; }

    /// <summary>Waits until the control socket answers; fails with the process output if the dataplane exits or never answers.</summary>
    public async Task WaitUntilServingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(Process.HasExited, $"isthmus-dataplane in {Namespace} exited with {Process.ExitCode}:\n{Process.Output}");
            if (File.Exists(SocketPath))
            {
                try
                {
                    _ = await Client.ListSasAsync(cancellationToken);
                    return;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    // Bound but not serving yet.
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"isthmus-dataplane in {Namespace} did not serve {SocketPath} within {timeout.TotalSeconds} s:\n{Process.Output}");
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Installs an SA and fails the test with the dataplane's reason if it is refused.</summary>
    public async Task AddSaAsync(EspSa sa, CancellationToken cancellationToken)
    {
        ControlResult result = await Client.AddSaAsync(sa, cancellationToken);
        Assert.True(result.IsOk, $"{Namespace}: adding {sa.Name} was refused: {result.Error}: {result.Detail}");
    }

    /// <summary>Installs a policy and fails the test with the dataplane's reason if it is refused.</summary>
    public async Task AddPolicyAsync(EspPolicy policy, CancellationToken cancellationToken)
    {
        ControlResult result = await Client.AddPolicyAsync(policy, cancellationToken);
        Assert.True(result.IsOk, $"{Namespace}: adding policy {policy.Id} was refused: {result.Error}: {result.Detail}");
    }

    public void Dispose() => Client.Dispose();
}
