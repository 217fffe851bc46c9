using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Isthmus.Images.Tests.Infrastructure;
using Isthmus.KubeApiDouble;
using Isthmus.Testing;
using k8s;
using k8s.Autorest;

namespace Isthmus.Images.Tests;

/// <summary>
/// The operator image with the chart's security settings (uid 65532, read-only root file system, every capability
/// dropped, no privilege escalation), on Docker's bridge network, against the API-server double listening on this
/// network namespace's address on that bridge: the real KubernetesClient in the container talks to the double over HTTP.
/// </summary>
public sealed class OperatorImageTests(ImageSet images)
{
    private const string OperatorNamespace = "isthmus-system";
    private const int MetricsPort = 8080;
    private const int HealthPort = 8081;
    private const int WebhookPort = 9443;
    private const string WebhookService = ChartInstall.Release + "-webhook";
    private const string PskSecret = "hq-branch-psk";

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

    // kubectl apply (IpsecTunnel)  -->  API server  -- AdmissionReview over TLS, caBundle from the operator -->
    //                                    operator container :9443 (isthmus-webhook.isthmus-system.svc:443)
    [Fact]
    public async Task Operator_container_serves_the_admission_webhook_and_reconciles_under_the_charts_RBAC()
    {
        DockerCli.SkipIfCannotRun();
        string image = await images.OperatorAsync();
        CancellationToken ct = TestContext.Current.CancellationToken;
        IPAddress address = await AddressOnBridgeAsync();

        // The chart installed as an administrator would: its CRDs, then its RBAC, Services and webhook configuration.
        var builtIn = ApiResources.All.Where(r => r != ApiResources.IpsecTunnels && r != ApiResources.TrafficSelectors).ToList();
        await using var api = await KubeApiServer.StartAsync(new KubeApiServerOptions { Address = address, Rbac = true, Resources = builtIn }, ct);
        using var admin = new Kubernetes(new KubernetesClientConfiguration
        {
            Host = api.BaseUri.ToString().TrimEnd('/'),
            AccessToken = api.IssueToken(UserInfo.Admin),
        });
        await ChartInstall.InstallCrdsAsync(admin, ct);
        api.Store.Seed(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ChartInstall.Namespace } });
        await ChartInstall.InstallAsync(admin, ChartInstall.Namespace, ct, "webhook.timeoutSeconds=20");
        api.Store.Seed(Node("gw-a"));
        api.Store.Seed(new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = PskSecret, ["namespace"] = "default", ["labels"] = new JsonObject { ["isthmus.dev/tunnel-secret"] = "true" } },
            ["stringData"] = new JsonObject { ["psk"] = "image-test-pre-shared-key-0123456789" },
        });
        string token = api.IssueToken(UserInfo.ServiceAccount(ChartInstall.Namespace, ChartInstall.OperatorServiceAccount));

        // The operator with the chart's webhook flags, under its ServiceAccount's token.
        await using var container = await TestContainer.CreateAsync(
            "operator",
            ["--network", "bridge", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"],
            image,
            ["--server", api.BaseUri.ToString().TrimEnd('/'), "--token", token, "--namespace", ChartInstall.Namespace,
             "--identity", "image-test-webhook", "--leader-elect", "true",
             "--metrics-port", MetricsPort.ToString(CultureInfo.InvariantCulture), "--health-port", HealthPort.ToString(CultureInfo.InvariantCulture),
             "--webhook-port", WebhookPort.ToString(CultureInfo.InvariantCulture), "--webhook-service", WebhookService,
             "--webhook-configuration", ChartInstall.Release, "--webhook-cert-secret", WebhookService + "-tls",
             "--log-format", "text", "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01"]);
        await container.StartAsync();
        string containerAddress = await container.InspectAsync("{{.NetworkSettings.IPAddress}}");
        api.Options.Services.Add(ChartInstall.Namespace, WebhookService, 443, new IPEndPoint(IPAddress.Parse(containerAddress), WebhookPort));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitForAsync(http, $"http://{containerAddress}:{HealthPort}/readyz", container,
            (s, b) => s == HttpStatusCode.OK && b.StartsWith("ok: leading", StringComparison.Ordinal));
        await WaitUntilAsync(
            () => api.Store.Read(ApiResources.ValidatingWebhookConfigurations, null, ChartInstall.Release)?["webhooks"] is JsonArray hooks
                && hooks.All(h => h?["clientConfig"]?["caBundle"] is JsonValue),
            "the operator injected its CA into the webhook configuration", container);

        // An AEAD proposal with an integrity algorithm passes the schema; the webhook in the container refuses it.
        HttpOperationException? refused = await CreateAsync(admin, Tunnel("aead-plus-integrity", "aes256gcm16-sha256-prfsha256-ecp384"), container);
        Assert.NotNull(refused);
        string message = JsonNode.Parse(refused.Response.Content)?["message"]?.GetValue<string>() ?? "";
        Assert.True(
            message.StartsWith("admission webhook \"ipsectunnels.validate.ipsec.isthmus.dev\" denied the request: spec.ike.proposals[0]:", StringComparison.Ordinal),
            $"refused, but not by the webhook: {refused.Response.Content}\n{await container.LogsAsync()}");
        Assert.Contains("AEAD algorithms provide integrity themselves", message, StringComparison.Ordinal);

        // A valid one is admitted, and the operator, with only the chart's RBAC, accepts and places it.
        HttpOperationException? admitted = await CreateAsync(admin, Tunnel("hq-to-branch", "aes256gcm16-prfsha384-ecp384"), container);
        Assert.True(admitted is null, $"the valid tunnel was refused: {admitted?.Response.Content}");
        await WaitUntilAsync(
            () => Condition(api.Store.Read(ApiResources.IpsecTunnels, "default", "hq-to-branch"), "Accepted") == "True"
                && Condition(api.Store.Read(ApiResources.IpsecTunnels, "default", "hq-to-branch"), "Scheduled") == "True",
            "Accepted=True and Scheduled=True on the valid tunnel", container);
        Assert.DoesNotContain(api.AuthorizationLog, r => !r.Allowed && r.User.Name.Contains(ChartInstall.OperatorServiceAccount, StringComparison.Ordinal));
    }

    /// <summary>
    /// Creates <paramref name="tunnel"/> as the administrator; returns null when admitted, else the refusal. A refusal
    /// because the API server could not call the webhook yet (its Service endpoint just appeared) is retried for 30 s.
    /// </summary>
    private static async Task<HttpOperationException?> CreateAsync(Kubernetes admin, JsonObject tunnel, TestContainer container)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await admin.CustomObjects.CreateNamespacedCustomObjectAsync(tunnel, "ipsec.isthmus.dev", "v1alpha1", "default", "ipsectunnels",
                    cancellationToken: TestContext.Current.CancellationToken);
                return null;
            }
            catch (HttpOperationException e) when (e.Response.Content.Contains("failed calling webhook", StringComparison.Ordinal))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    Assert.Fail($"the API server could not call the webhook for 30 s: {e.Response.Content}\n{await container.LogsAsync()}");
                }

                await Task.Delay(250, TestContext.Current.CancellationToken);
            }
            catch (HttpOperationException e)
            {
                return e;
            }
        }
    }

    private static JsonObject Node(string name) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Node",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["ipsec.isthmus.dev/gateway"] = "true", ["kubernetes.io/hostname"] = name } },
        ["status"] = new JsonObject { ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True", ["reason"] = "KubeletReady" }) },
    };

    /// <summary>A tunnel in the shape of <c>examples/tunnel-inline.yaml</c> with the IKE proposal <paramref name="ikeProposal"/>.</summary>
    private static JsonObject Tunnel(string name, string ikeProposal) => new()
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = JsonNode.Parse($$"""
            {
              "startAction": "Initiate",
              "local": { "address": "192.0.2.10", "id": { "type": "FQDN", "value": "hq.example.com" } },
              "peer": { "address": "198.51.100.20", "port": 500, "id": { "type": "FQDN", "value": "branch.example.com" } },
              "authentication": { "method": "Psk", "psk": { "secretRef": { "name": "{{PskSecret}}", "key": "psk" } } },
              "ike": { "proposals": ["{{ikeProposal}}"], "rekeyTime": "4h" },
              "child": { "proposals": ["aes256gcm16-ecp384"], "rekeyTime": "1h" },
              "trafficSelectors": { "inline": { "local": [ { "cidr": "10.1.0.0/16" } ], "remote": [ { "cidr": "10.2.0.0/16" } ] } }
            }
            """),
    };

    private static string? Condition(JsonObject? tunnel, string type) =>
        (tunnel?["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type)?["status"]?.GetValue<string>();

    private static async Task WaitUntilAsync(Func<bool> condition, string what, TestContainer container)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"not within 60 s: {what}\n{await container.LogsAsync()}");
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
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
