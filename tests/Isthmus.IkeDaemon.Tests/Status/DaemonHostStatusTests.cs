using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Isthmus.Ike.Config;
using Isthmus.IkeDaemon.Status;

namespace Isthmus.IkeDaemon.Tests.Status;

/// <summary>Two real daemons (UDP on loopback) with Kubernetes status sinks, as `isthmus-iked run --kube-status` wires them.</summary>
public sealed class DaemonHostStatusTests
{
    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private static DaemonOptions Options(int ike, string dir) => new()
    {
        Listen = IPAddress.Loopback,
        IkePort = ike,
        NatTPort = FreeUdpPort(),
        ControlSocket = Path.Combine(dir, $"iked-{ike}.sock"),
    };

    private static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 300 && !condition(); i++) await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.True(condition(), $"timed out waiting for {what}");
    }

    private static string? Reason(StatusApi api, string tunnel) => api.Api.Store.Read(KubeApiDouble.ApiResources.IpsecTunnels, "default", tunnel)?["status"]?["conditions"]?
        .AsArray().FirstOrDefault(c => (string?)c!["type"] == "IkeSaEstablished")?["reason"]?.GetValue<string>();

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public async Task Running_daemons_write_established_and_then_deleted_on_shutdown()
    {
        await using var api = await StatusApi.StartAsync();
        var dir = Directory.CreateTempSubdirectory("iked-status-").FullName;
        try
        {
            var hqPort = FreeUdpPort();
            var branchPort = FreeUdpPort();
            var hqTunnel = BackToBackPeers.Tunnel("default/hq", "hq.example.com", "branch.example.com", IPAddress.Loopback, StartAction.Initiate, "10.1.0.0/16", "10.2.0.0/16");
            var branchTunnel = BackToBackPeers.Tunnel("default/branch", "branch.example.com", "hq.example.com", IPAddress.Loopback, StartAction.Respond, "10.2.0.0/16", "10.1.0.0/16");
            var hqConfig = new TunnelConfig
            {
                Name = hqTunnel.Name, PeerHost = hqTunnel.PeerHost, PeerAddress = hqTunnel.PeerAddress, PeerPort = branchPort, LocalId = hqTunnel.LocalId,
                PeerId = hqTunnel.PeerId, Psk = hqTunnel.Psk, IkeProposals = hqTunnel.IkeProposals, EspProposals = hqTunnel.EspProposals,
                LocalTs = hqTunnel.LocalTs, RemoteTs = hqTunnel.RemoteTs, ChildName = hqTunnel.ChildName, StartAction = StartAction.Initiate,
            };
            var log = new Log(false, api.LogText);
            var hqSink = api.Sink(StatusApi.HqNode);
            var branchSink = api.Sink(StatusApi.BranchNode);
            using var stopHq = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            using var stopBranch = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var branch = new IkeDaemonHost(Options(branchPort, dir), [branchTunnel], log, branchSink).RunAsync(stopBranch.Token);
            var hq = new IkeDaemonHost(Options(hqPort, dir), [hqConfig], log, hqSink).RunAsync(stopHq.Token);

            await Until(() => Reason(api, "hq") == "Established" && Reason(api, "branch") == "Established", $"both tunnels established; log:\n{api.LogText}");
            var status = api.Status("hq");
            Assert.Equal($"127.0.0.1:{branchPort}", (string?)status["ikeSa"]!["remoteEndpoint"]);
            Assert.Single((JsonArray)status["childSas"]!);

            await stopHq.CancelAsync();
            await hq;
            await hqSink.DisposeAsync();
            Assert.Equal("Deleted", Reason(api, "hq"));
            Assert.Null(api.Status("hq")["ikeSa"]);
            await Until(() => Reason(api, "branch") == "Deleted", "branch to see the Delete");
            await stopBranch.CancelAsync();
            await branch;
            Assert.Contains(api.Events("branch"), e => (string?)e["reason"] == "Deleted" && ((string?)e["note"])!.Contains("by the peer"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
