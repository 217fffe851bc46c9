using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// Validating admission webhooks as kube-apiserver calls them: for each ValidatingWebhookConfiguration in the store
/// whose rules match a write (API group, version, resource or <c>resource/subresource</c>, operation, scope), an
/// <c>admission.k8s.io/v1</c> AdmissionReview is POSTed over HTTPS to the webhook's Service (or URL), the server's
/// certificate verified against the configuration's <c>caBundle</c> for the name <c>SERVICE.NAMESPACE.svc</c>,
/// within <c>timeoutSeconds</c> (default 10). A denial refuses the write with
/// <c>admission webhook "NAME" denied the request: MESSAGE</c> and the webhook's status code (at least 400); a failed call refuses it under <c>failurePolicy: Fail</c> (the default) and is skipped under
/// <c>Ignore</c>. Warnings come back to the client as <c>Warning</c> headers. Services are reached through
/// <see cref="KubeApiServerOptions.ServiceEndpoints"/> (the double has no cluster network); namespace and object
/// selectors are not evaluated (every object matches).
/// </summary>
public sealed class ValidatingWebhooks(ObjectStore store, KubeApiServerOptions options)
{
    private static readonly AsyncLocal<RequestContext?> Current = new();

    /// <summary>Who is writing and where webhook warnings for the response go, for the request in flight.</summary>
    public sealed class RequestContext(UserInfo user)
    {
        public UserInfo User { get; } = user;

        public List<string> Warnings { get; } = [];
    }

    /// <summary>Sets the context of the request being served on this async flow.</summary>
    public static RequestContext Begin(UserInfo user) => Current.Value = new RequestContext(user);

    /// <summary>Every call made so far: webhook name and whether it allowed the write.</summary>
    public List<(string Webhook, bool Allowed)> Calls { get; } = [];

    /// <summary>The webhooks that match a write of <paramref name="resource"/> (and <paramref name="subresource"/>) by <paramref name="operation"/>.</summary>
    public IReadOnlyList<JsonObject> Matching(ApiResource resource, string? subresource, string operation)
    {
        var configurations = store.FindResource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations");
        if (configurations is null || resource == configurations)
        {
            return [];
        }
        var items = (store.List(configurations, null, LabelSelector.Parse(default), FieldSelector.Parse(default, configurations))["items"] as JsonArray)?.OfType<JsonObject>() ?? [];
        return items.SelectMany(c => (c["webhooks"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(w => Matches(w, resource, subresource, operation))
            .ToList();
    }

    /// <summary>Calls each matching webhook in turn (outside the store's lock); the first refusal is thrown.</summary>
    public async Task AdmitAsync(AdmissionAttributes attributes, CancellationToken cancellationToken)
    {
        foreach (var webhook in Matching(attributes.Resource, attributes.Subresource, attributes.Operation))
        {
            if (await CallAsync(webhook, attributes, cancellationToken) is { } refusal)
            {
                throw refusal;
            }
        }
    }

    private static bool Matches(JsonObject webhook, ApiResource target, string? subresource, string operation)
    {
        var a = (Resource: target, Subresource: subresource, Operation: operation);
        var resource = a.Subresource is null ? a.Resource.Plural : $"{a.Resource.Plural}/{a.Subresource}";
        foreach (var rule in (webhook["rules"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var scope = rule["scope"]?.GetValue<string>() ?? "*";
            if (Has(rule["apiGroups"], a.Resource.Group) && Has(rule["apiVersions"], a.Resource.Version)
                && (Has(rule["resources"], resource) || (a.Subresource is not null && Has(rule["resources"], "*/" + a.Subresource)) || (a.Subresource is null && Has(rule["resources"], "*")))
                && Has(rule["operations"], a.Operation)
                && (scope == "*" || (scope == "Namespaced") == a.Resource.Namespaced))
            {
                return true;
            }
        }
        return false;

        static bool Has(JsonNode? list, string value) =>
            list is JsonArray array && array.Any(v => v?.GetValue<string>() is { } s && (s == value || (s == "*" && !value.Contains('/'))));
    }

    private async Task<ApiStatusException?> CallAsync(JsonObject webhook, AdmissionAttributes a, CancellationToken cancellationToken)
    {
        var name = webhook["name"]?.GetValue<string>() ?? "(unnamed)";
        var failClosed = (webhook["failurePolicy"]?.GetValue<string>() ?? "Fail") == "Fail";
        var timeout = TimeSpan.FromSeconds(webhook["timeoutSeconds"]?.GetValue<int>() ?? 10);
        Uri url;
        try
        {
            url = Endpoint(webhook, timeout, out var connectTo, out var serverName);
            var review = Review(a);
            using var client = Client(webhook, connectTo, serverName, timeout);
            using var response = await client.PostAsync(url, new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"), cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"the server responded with status {(int)response.StatusCode}: {text.Trim()}");
            }
            var answer = JsonNode.Parse(text)?["response"] as JsonObject ?? throw new HttpRequestException("the response has no AdmissionReview response");
            if (answer["uid"]?.GetValue<string>() != review["request"]!["uid"]!.GetValue<string>())
            {
                throw new HttpRequestException("expected response.uid to match the request.uid");
            }
            foreach (var warning in (answer["warnings"] as JsonArray)?.Select(w => w?.GetValue<string>()).OfType<string>() ?? [])
            {
                Current.Value?.Warnings.Add(warning);
            }
            var allowed = answer["allowed"]?.GetValue<bool>() == true;
            lock (Calls)
            {
                Calls.Add((name, allowed));
            }
            if (allowed)
            {
                return null;
            }
            // As the API server's ToStatusErr: the webhook's status, its code raised to at least 400, its message
            // (or reason) after "admission webhook NAME denied the request"; no details of the double's own.
            var status = answer["status"] as JsonObject;
            var code = status?["code"]?.GetValue<int>() is { } c and >= 400 ? c : 400;
            var message = status?["message"]?.GetValue<string>();
            var reason = status?["reason"]?.GetValue<string>() ?? "";
            var explanation = !string.IsNullOrEmpty(message) ? $": {message}" : reason.Length > 0 ? $": {reason}" : " without explanation";
            return new ApiStatusException(code, reason, $"admission webhook \"{name}\" denied the request{explanation}");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException or InvalidOperationException or SocketException)
        {
            lock (Calls)
            {
                Calls.Add((name, !failClosed));
            }
            if (!failClosed)
            {
                return null;
            }
            var detail = e is TaskCanceledException ? "context deadline exceeded" : Innermost(e).Message;
            return new ApiStatusException(500, "InternalError",
                $"Internal error occurred: failed calling webhook \"{name}\": failed to call webhook: Post \"{Describe(webhook, timeout)}\": {detail}");
        }
    }

    private Uri Endpoint(JsonObject webhook, TimeSpan timeout, out IReadOnlyList<IPEndPoint>? connectTo, out string serverName)
    {
        var clientConfig = webhook["clientConfig"] as JsonObject ?? throw new InvalidOperationException("clientConfig is missing");
        if (clientConfig["url"]?.GetValue<string>() is { Length: > 0 } url)
        {
            var uri = new Uri(url);
            connectTo = null;
            serverName = uri.Host;
            return uri;
        }
        var service = clientConfig["service"] as JsonObject ?? throw new InvalidOperationException("clientConfig has neither url nor service");
        var ns = service["namespace"]!.GetValue<string>();
        var svc = service["name"]!.GetValue<string>();
        var port = service["port"]?.GetValue<int>() ?? 443;
        var path = service["path"]?.GetValue<string>() ?? "/";
        serverName = $"{svc}.{ns}.svc";
        connectTo = options.Services.Resolve(ns, svc, port) is { Count: > 0 } endpoints
            ? endpoints
            : throw new HttpRequestException($"no endpoints available for service \"{svc}\"");
        return new Uri($"https://{serverName}:{port}{path}?timeout={(int)timeout.TotalSeconds}s");
    }

    private static string Describe(JsonObject webhook, TimeSpan timeout)
    {
        var clientConfig = webhook["clientConfig"] as JsonObject;
        if (clientConfig?["url"]?.GetValue<string>() is { Length: > 0 } url)
        {
            return url;
        }
        var service = clientConfig?["service"] as JsonObject;
        return $"https://{service?["name"]}.{service?["namespace"]}.svc:{service?["port"]?.GetValue<int>() ?? 443}{service?["path"]}?timeout={(int)timeout.TotalSeconds}s";
    }

    private static HttpClient Client(JsonObject webhook, IReadOnlyList<IPEndPoint>? connectTo, string serverName, TimeSpan timeout)
    {
        var roots = new X509Certificate2Collection();
        if (webhook["clientConfig"]?["caBundle"]?.GetValue<string>() is { Length: > 0 } bundle)
        {
            roots.ImportFromPem(Encoding.ASCII.GetString(Convert.FromBase64String(bundle)));
        }
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                TargetHost = serverName,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || roots.Count == 0 || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
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
        if (connectTo is not null)
        {
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                SocketException? last = null;
                foreach (var endpoint in connectTo)
                {
                    var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    try
                    {
                        await socket.ConnectAsync(endpoint, cancellationToken);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch (SocketException e)
                    {
                        socket.Dispose();
                        last = e;
                    }
                }
                throw last ?? new SocketException((int)SocketError.HostUnreachable);
            };
        }
        return new HttpClient(handler) { Timeout = timeout };
    }

    private static JsonObject Review(AdmissionAttributes a)
    {
        var user = Current.Value?.User ?? UserInfo.Admin;
        var gvk = new JsonObject { ["group"] = a.Resource.Group, ["version"] = a.Resource.Version, ["kind"] = a.Resource.Kind };
        var gvr = new JsonObject { ["group"] = a.Resource.Group, ["version"] = a.Resource.Version, ["resource"] = a.Resource.Plural };
        var request = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = gvk,
            ["resource"] = gvr,
            ["requestKind"] = gvk.DeepClone(),
            ["requestResource"] = gvr.DeepClone(),
            ["name"] = a.Name,
            ["operation"] = a.Operation,
            ["userInfo"] = new JsonObject { ["username"] = user.Name, ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()) },
            ["object"] = a.Object.DeepClone(),
            ["oldObject"] = a.OldObject?.DeepClone(),
            ["dryRun"] = false,
            ["options"] = new JsonObject { ["kind"] = a.Operation == "CREATE" ? "CreateOptions" : "UpdateOptions", ["apiVersion"] = "meta.k8s.io/v1" },
        };
        if (a.Subresource is not null)
        {
            request["subResource"] = a.Subresource;
        }
        if (a.Namespace is not null)
        {
            request["namespace"] = a.Namespace;
        }
        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["request"] = request };
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }
}
