using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Isthmus.Api.Manifests;
using Isthmus.Crd.Tests.Validation;
using Isthmus.Ike.Config;
using Isthmus.Operator.Admission;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Tests.Fakes;
using Isthmus.Operator.Tunnels;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isthmus.Operator.Tests.Admission;

/// <summary>
/// The validating webhook as the API server calls it: an AdmissionReview POSTed over TLS to the webhook's Service
/// name, verified against the CA bundle the operator publishes. Every manifest in examples/invalid is refused, and
/// with the very message the tunnel's <c>Accepted=False</c> condition would carry.
/// </summary>
public sealed class AdmissionWebhookTests : IAsyncLifetime
{
    private const string ServiceHost = "isthmus-webhook.isthmus-system.svc";
    private WebhookTlsMaterial _material = null!;
    private WebhookServer _server = null!;
    private HttpClient _http = null!;
    private CryptoPolicy _policy = CryptoPolicy.AllowAll;

    public async ValueTask InitializeAsync()
    {
        _material = WebhookCertificateAuthority.Renew(null, WebhookCertificateAuthority.DnsNames("isthmus-webhook", "isthmus-system"), DateTimeOffset.UtcNow, out _)!;
        _server = await WebhookServer.StartAsync(0, IPAddress.Loopback, new FixedCertificate(_material.ServingCertificate()), new AdmissionReviewHandler(_policy), NullLogger.Instance, CancellationToken.None);
        _http = ApiServerLikeClient(_material);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    public static TheoryData<string> InvalidExamples() =>
        new(Directory.EnumerateFiles(Path.Combine(Root(), "examples", "invalid"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public async Task Every_invalid_example_is_refused_over_TLS_with_the_message_of_its_condition(string file)
    {
        var document = (JsonObject)YamlDocuments.Load(Path.Combine(Root(), "examples", "invalid", file)).Single()!;

        var response = await ReviewAsync(document, "CREATE");

        Assert.False(response["allowed"]!.GetValue<bool>(), $"{file} was allowed");
        Assert.Equal(422, response["status"]!["code"]!.GetValue<int>());
        var message = response["status"]!["message"]!.GetValue<string>();
        var condition = ConditionMessage(document);
        if (condition is null)
        {
            // The operator could never hold this object: the API server's schema refuses it first (an unknown enum
            // value or field). The webhook still refuses it, naming the field.
            Assert.Matches(@"^spec\.[A-Za-z.\[\]0-9]+: ", message);
        }
        else
        {
            Assert.Equal(condition, message);
        }
    }

    [Fact]
    public async Task A_valid_tunnel_is_allowed_and_weak_algorithms_come_back_as_warnings()
    {
        var document = TunnelDocument("aes128-sha1-modp1024");

        var response = await ReviewAsync(document, "CREATE");

        Assert.True(response["allowed"]!.GetValue<bool>());
        var warning = Assert.Single(response["warnings"]!.AsArray())!.GetValue<string>();
        Assert.Contains("spec.ike.proposals[0] 'aes128-sha1-modp1024' uses weak algorithms", warning);
    }

    [Fact]
    public async Task The_crypto_policy_refuses_what_it_forbids_and_the_condition_says_the_same()
    {
        Assert.True(CryptoPolicy.TryCreate(forbidWeak: false, ["modp1024", "sha1"], out var policy, out _));
        await using var server = await WebhookServer.StartAsync(0, IPAddress.Loopback, new FixedCertificate(_material.ServingCertificate()), new AdmissionReviewHandler(policy), NullLogger.Instance, CancellationToken.None);
        var document = TunnelDocument("aes128-sha1-modp1024");

        var response = await ReviewAsync(document, "CREATE", server.Port);

        Assert.False(response["allowed"]!.GetValue<bool>());
        var message = response["status"]!["message"]!.GetValue<string>();
        Assert.Equal("spec.ike.proposals[0]: 'aes128-sha1-modp1024' uses algorithms the crypto policy of this cluster forbids: HMAC_SHA1_96, MODP_1024", message);
        Assert.Equal(message, ConditionMessage(document, policy));
    }

    [Fact]
    public async Task Forbidding_weak_algorithms_refuses_3des_but_allows_a_strong_proposal()
    {
        Assert.True(CryptoPolicy.TryCreate(forbidWeak: true, [], out var policy, out _));
        await using var server = await WebhookServer.StartAsync(0, IPAddress.Loopback, new FixedCertificate(_material.ServingCertificate()), new AdmissionReviewHandler(policy), NullLogger.Instance, CancellationToken.None);

        var weak = await ReviewAsync(TunnelDocument("3des-sha256-modp2048"), "CREATE", server.Port);
        var strong = await ReviewAsync(TunnelDocument("aes256gcm16-prfsha384-ecp384"), "CREATE", server.Port);

        Assert.False(weak["allowed"]!.GetValue<bool>());
        Assert.Contains("forbids: 3DES_CBC", weak["status"]!["message"]!.GetValue<string>());
        Assert.True(strong["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_update_that_leaves_the_spec_alone_is_allowed_even_when_the_spec_is_invalid()
    {
        // A tunnel written before the policy tightened must still take its finalizer off when deleted.
        var invalid = TunnelDocument("aes257-sha256-modp2048");
        var old = (JsonObject)invalid.DeepClone();
        ((JsonObject)invalid["metadata"]!)["finalizers"] = new JsonArray("ipsec.isthmus.dev/node-config");

        var response = await ReviewAsync(invalid, "UPDATE", oldObject: old);

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Any_update_of_a_tunnel_being_deleted_is_allowed()
    {
        var old = TunnelDocument("aes257-sha256-modp2048");
        ((JsonObject)old["metadata"]!)["deletionTimestamp"] = "2026-12-01T10:00:00Z";
        var changed = TunnelDocument("also-not-a-keyword");
        ((JsonObject)changed["metadata"]!)["deletionTimestamp"] = "2026-12-01T10:00:00Z";

        var response = await ReviewAsync(changed, "UPDATE", oldObject: old);

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task An_update_that_changes_an_invalid_spec_is_judged()
    {
        var old = TunnelDocument("aes257-sha256-modp2048");

        var response = await ReviewAsync(TunnelDocument("aes258-sha256-modp2048"), "UPDATE", oldObject: old);

        Assert.False(response["allowed"]!.GetValue<bool>());
        Assert.StartsWith("spec.ike.proposals[0]:", response["status"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tunnel_naming_a_missing_secret_and_selector_is_allowed_they_may_come_later()
    {
        var document = TunnelDocument("aes256gcm16-prfsha384-ecp384");
        ((JsonObject)document["spec"]!["trafficSelectors"]!)["refs"] = new JsonArray("not-yet-created");

        var response = await ReviewAsync(document, "CREATE");

        Assert.True(response["allowed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_client_that_trusts_only_another_CA_cannot_talk_to_the_webhook()
    {
        var other = WebhookCertificateAuthority.Renew(null, WebhookCertificateAuthority.DnsNames("isthmus-webhook", "isthmus-system"), DateTimeOffset.UtcNow, out _)!;
        using var stranger = ApiServerLikeClient(other);

        await Assert.ThrowsAsync<HttpRequestException>(() => stranger.PostAsync(
            new Uri($"https://{ServiceHost}:{_server.Port}{WebhookServer.TunnelsPath}"),
            new StringContent(Review(TunnelDocument("aes256gcm16-prfsha384-ecp384"), "CREATE", null).ToJsonString(), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_body_that_is_not_an_admission_review_gets_400()
    {
        using var response = await _http.PostAsync(
            new Uri($"https://{ServiceHost}:{_server.Port}{WebhookServer.TunnelsPath}"),
            new StringContent("{\"kind\":\"Pod\"}", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    /// <summary>The Accepted condition's message for this object (a TrafficSelector: as a tunnel using it shows it); null when the operator could not even read it.</summary>
    private static string? ConditionMessage(JsonObject document, CryptoPolicy? policy = null)
    {
        var store = new InMemoryClusterStore();
        store.Add(Fixtures.Secret("hq-branch-psk", "not-logged"));
        IpsecTunnelResource tunnel;
        try
        {
            ManifestLoader.ReadDocument(document, "example");
        }
        catch (ManifestException)
        {
            return null;
        }
        if (document["kind"]!.GetValue<string>() == "TrafficSelector")
        {
            var selector = KubernetesJson.Deserialize<TrafficSelectorResource>(document.ToJsonString());
            store.Add(selector);
            tunnel = Fixtures.Tunnel("uses-selector", "hq-branch-psk", spec =>
            {
                spec.TrafficSelectors.Inline = null;
                spec.TrafficSelectors.Refs = [selector.Metadata.Name];
            });
        }
        else
        {
            tunnel = KubernetesJson.Deserialize<IpsecTunnelResource>(document.ToJsonString());
        }
        var validation = TunnelValidator.Validate(tunnel, store, policy ?? CryptoPolicy.AllowAll);
        Assert.False(validation.Accepted, "the condition accepts what the webhook refused");
        return validation.Message;
    }

    private async Task<JsonObject> ReviewAsync(JsonObject document, string operation, int? port = null, JsonObject? oldObject = null)
    {
        var path = document["kind"]!.GetValue<string>() == "TrafficSelector" ? WebhookServer.TrafficSelectorsPath : WebhookServer.TunnelsPath;
        using var response = await _http.PostAsync(
            new Uri($"https://{ServiceHost}:{port ?? _server.Port}{path}?timeout=5s"),
            new StringContent(Review(document, operation, oldObject).ToJsonString(), Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var review = (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("admission.k8s.io/v1", review["apiVersion"]!.GetValue<string>());
        Assert.Equal("AdmissionReview", review["kind"]!.GetValue<string>());
        var answer = (JsonObject)review["response"]!;
        Assert.Equal("1b4ee3f6-0000-4000-8000-000000000001", answer["uid"]!.GetValue<string>());
        return answer;
    }

    /// <summary>An AdmissionReview as kube-apiserver sends it.</summary>
    private static JsonObject Review(JsonObject document, string operation, JsonObject? oldObject)
    {
        var kind = document["kind"]!.GetValue<string>();
        var plural = kind == "TrafficSelector" ? "trafficselectors" : "ipsectunnels";
        return new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = "1b4ee3f6-0000-4000-8000-000000000001",
                ["kind"] = new JsonObject { ["group"] = "ipsec.isthmus.dev", ["version"] = "v1alpha1", ["kind"] = kind },
                ["resource"] = new JsonObject { ["group"] = "ipsec.isthmus.dev", ["version"] = "v1alpha1", ["resource"] = plural },
                ["requestKind"] = new JsonObject { ["group"] = "ipsec.isthmus.dev", ["version"] = "v1alpha1", ["kind"] = kind },
                ["requestResource"] = new JsonObject { ["group"] = "ipsec.isthmus.dev", ["version"] = "v1alpha1", ["resource"] = plural },
                ["name"] = document["metadata"]?["name"]?.GetValue<string>(),
                ["namespace"] = document["metadata"]?["namespace"]?.GetValue<string>() ?? "default",
                ["operation"] = operation,
                ["userInfo"] = new JsonObject { ["username"] = "kubernetes-admin", ["groups"] = new JsonArray("system:masters", "system:authenticated") },
                ["object"] = document.DeepClone(),
                ["oldObject"] = oldObject?.DeepClone(),
                ["dryRun"] = false,
                ["options"] = new JsonObject { ["kind"] = operation == "CREATE" ? "CreateOptions" : "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
            },
        };
    }

    private static JsonObject TunnelDocument(string ikeProposal) => new()
    {
        ["apiVersion"] = "ipsec.isthmus.dev/v1alpha1",
        ["kind"] = "IpsecTunnel",
        ["metadata"] = new JsonObject { ["name"] = "hq-branch", ["namespace"] = "default", ["uid"] = "8c9f0000-0000-4000-8000-000000000002", ["generation"] = 1 },
        ["spec"] = new JsonObject
        {
            ["local"] = new JsonObject { ["address"] = "192.0.2.10" },
            ["peer"] = new JsonObject { ["address"] = "198.51.100.20" },
            ["authentication"] = new JsonObject { ["psk"] = new JsonObject { ["secretRef"] = new JsonObject { ["name"] = "hq-branch-psk" } } },
            ["ike"] = new JsonObject { ["proposals"] = new JsonArray(ikeProposal) },
            ["child"] = new JsonObject { ["proposals"] = new JsonArray("aes256gcm16") },
            ["trafficSelectors"] = new JsonObject
            {
                ["inline"] = new JsonObject
                {
                    ["local"] = new JsonArray(new JsonObject { ["cidr"] = "10.1.0.0/16" }),
                    ["remote"] = new JsonArray(new JsonObject { ["cidr"] = "10.2.0.0/16" }),
                },
            },
        },
    };

    /// <summary>A client that checks the webhook's certificate as kube-apiserver does: against the caBundle only, for the Service's DNS name.</summary>
    private static HttpClient ApiServerLikeClient(WebhookTlsMaterial trusted)
    {
        var roots = trusted.CaCertificates();
        var handler = new SocketsHttpHandler
        {
            // The Service name resolves to the webhook on loopback, as a Service's cluster IP leads to a pod.
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    return chain.Build(presented);
                },
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Operator.sln not found");
    }

    private sealed class FixedCertificate(X509Certificate2 certificate) : IWebhookCertificateSource
    {
        public X509Certificate2? Current => certificate;

        public Task RunAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
