using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Isthmus.Images.Tests.Infrastructure;
using Isthmus.KubeApiDouble;

namespace Isthmus.Images.Tests;

/// <summary>
/// The operator image as the chart runs it (uid 65532, read-only root file system, every capability dropped, no
/// privilege escalation), on Docker's bridge network, against the API-server double listening on this network
/// namespace's address on that bridge: the real KubernetesClient in the container talks to the double over HTTP.
/// </summary>
public sealed class OperatorImageTests(ImageSet images)
{
    private const string OperatorNamespace = "isthmus-system";
    private const int MetricsPort = 8080;
    private const int HealthPort = 8081;

    [Fact]
    public async Task Operator_container_leads_against_the_API_server_and_serves_healthz_and_readyz()
    {
        DockerCli.SkipIfCannotRun();
        string image = await images.OperatorAsync();
        IPAddress address = await AddressOnBridgeAsync();
        await using var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Address = address }, TestContext.Current.CancellationToken);
        api.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = OperatorNamespace } });
        string identity = $"image-test-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";

        await using var container = await TestContainer.CreateAsync(
            "operator",
            ["--network", "bridge", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
            image,
            ["--server", api.BaseUri.ToString().TrimEnd('/'), "--namespace", OperatorNamespace, "--identity", identity,
             "--leader-elect", "true", "--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "300ms",
             "--metrics-port", MetricsPort.ToString(CultureInfo.InvariantCulture), "--health-port", HealthPort.ToString(CultureInfo.InvariantCulture),
             "--log-format", "text", "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01"]);
        await container.StartAsync();
        string containerAddress = await container.InspectAsync("{{.NetworkSettings.IPAddress}}");
        Assert.True(IPAddress.TryParse(containerAddress, out _), $"the container has no address on the bridge: '{containerAddress}'\n{await container.LogsAsync()}");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (int port in new[] { MetricsPort, HealthPort })
        {
            (HttpStatusCode status, string body) = await WaitForAsync(http, $"http://{containerAddress}:{port}/healthz", container, (_, _) => true);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.False(string.IsNullOrWhiteSpace(body));

            // Ready first as a standby (200), then as the leader once it holds the Lease and its caches are synced.
            (status, body) = await WaitForAsync(http, $"http://{containerAddress}:{port}/readyz", container,
                (s, b) => s == HttpStatusCode.OK && b.StartsWith("ok: leading", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("ok: leading, caches synced", body.Trim());
        }

        // It leads through the Lease it wrote into the double, and the requests the double served came from the container.
        JsonObject? lease = api.Store.Read(ApiResources.Leases, OperatorNamespace, "isthmus-operator");
        Assert.Equal(identity, lease?["spec"]?["holderIdentity"]?.GetValue<string>());
        Assert.Contains(api.Requests, r => r.StatusCode < 400 && r.Request.IsWrite);

        // The process is 65532, not root.
        string status1 = (await container.ExecAsync("cat", "/proc/1/status")).EnsureSuccess().StandardOutput;
        Assert.Matches(@"(?m)^Uid:\s+65532\s+65532\s+65532\s+65532\s*$", status1);

        // SIGTERM (as the kubelet sends it) ends it cleanly.
        (await DockerCli.RunAsync(TimeSpan.FromSeconds(40), "stop", "--time", "20", container.Name)).EnsureSuccess();
        Assert.Equal("0", await container.InspectAsync("{{.State.ExitCode}}"));
    }

    /// <summary>
    /// An address of this network namespace on Docker's default bridge network, which a container on that network
    /// reaches: the bridge's gateway address when the tests run on the host, the container's own address when they run
    /// in a container on the bridge.
    /// </summary>
    private static async Task<IPAddress> AddressOnBridgeAsync()
    {
        string subnets = await DockerCli.OutputAsync("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{end}}");
        IPNetwork[] networks = [.. subnets.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(IPNetwork.Parse)];
        IPAddress? address = NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && networks.Any(n => n.Contains(a)));
        return address ?? throw new InvalidOperationException(
            $"no address of this network namespace is on Docker's bridge network ({subnets.Trim()}): a container there could not reach the API-server double");
    }

    /// <summary>Polls <paramref name="url"/> until <paramref name="done"/> accepts the answer; fails after 60 s or when the container exits.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> WaitForAsync(
        HttpClient http, string url, TestContainer container, Func<HttpStatusCode, string, bool> done)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string last = "no answer";
        while (true)
        {
            try
            {
                using HttpResponseMessage response = await http.GetAsync(url, TestContext.Current.CancellationToken);
                string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if (done(response.StatusCode, body))
                {
                    return (response.StatusCode, body);
                }

                last = $"{(int)response.StatusCode} {body.Trim()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                last = "timed out";
            }

            if (!await container.IsRunningAsync())
            {
                Assert.Fail($"the operator container exited while waiting for {url}\n{await container.LogsAsync()}");
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"{url}: {last} after 60 s\n{await container.LogsAsync()}");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
