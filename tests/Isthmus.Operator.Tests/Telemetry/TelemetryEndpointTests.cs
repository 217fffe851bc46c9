using System.Net;
using System.Net.Sockets;
using Isthmus.Operator.Hosting;
using Isthmus.Operator.Telemetry;

namespace Isthmus.Operator.Tests.Telemetry;

/// <summary>The HTTP endpoint the chart's probes and Prometheus reach, started for real on loopback ports.</summary>
public sealed class TelemetryEndpointTests
{
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(HttpStatusCode Status, string Body)> Get(HttpClient http, int port, string path)
    {
        using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}{path}"), TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Readyz_follows_the_replica_state_on_both_ports_and_the_health_port_serves_only_the_probes()
    {
        var (metricsPort, healthPort) = (FreePort(), FreePort());
        var options = new OperatorOptions { MetricsPort = metricsPort, MetricsHost = "localhost", HealthPort = healthPort, DataplaneEnabled = false };
        var readiness = new OperatorReadiness(ReadinessState.Standby);
        await using var endpoint = await TelemetryEndpoint.StartAsync(options, readiness, TestContext.Current.CancellationToken);
        using var http = new HttpClient();

        foreach (var port in new[] { metricsPort, healthPort })
        {
            Assert.Equal(HttpStatusCode.OK, (await Get(http, port, TelemetryEndpoint.LivenessPath)).Status);
            var standby = await Get(http, port, TelemetryEndpoint.ReadinessPath);
            Assert.Equal(HttpStatusCode.OK, standby.Status);
            Assert.Contains("standby", standby.Body);
        }

        readiness.Set(ReadinessState.Syncing);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Get(http, healthPort, TelemetryEndpoint.ReadinessPath)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, healthPort, TelemetryEndpoint.LivenessPath)).Status);

        readiness.Set(ReadinessState.Synced);
        Assert.Equal(HttpStatusCode.OK, (await Get(http, healthPort, TelemetryEndpoint.ReadinessPath)).Status);

        Assert.Equal(HttpStatusCode.OK, (await Get(http, metricsPort, TelemetryEndpoint.MetricsPath)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Get(http, healthPort, TelemetryEndpoint.MetricsPath)).Status);

        readiness.Set(ReadinessState.Stopping);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await Get(http, healthPort, TelemetryEndpoint.ReadinessPath)).Status);
    }

    [Fact]
    public void Stopping_is_final_and_only_synced_leaders_and_standbys_are_ready()
    {
        var readiness = new OperatorReadiness(ReadinessState.Syncing);
        Assert.False(readiness.IsReady);
        readiness.Set(ReadinessState.Synced);
        Assert.True(readiness.IsReady);
        readiness.Set(ReadinessState.Standby);
        Assert.True(readiness.IsReady);

        readiness.Set(ReadinessState.Stopping);
        readiness.Set(ReadinessState.Synced);
        Assert.Equal(ReadinessState.Stopping, readiness.State);
        Assert.False(readiness.IsReady);
    }
}
