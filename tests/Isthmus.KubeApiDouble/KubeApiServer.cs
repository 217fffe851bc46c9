using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// A test double of the Kubernetes API server on loopback or a chosen address (Kestrel, HTTP/1.1, no authentication), serving discovery,
/// the resources of <see cref="KubeApiServerOptions.Resources"/> and of the CustomResourceDefinitions written to it from an
/// <see cref="ObjectStore"/> (custom resources decoded and validated against their schema, CEL rules included), watches as chunked
/// JSON lines, server-side tables for kubectl, and injected faults.
/// </summary>
public sealed partial class KubeApiServer : IAsyncDisposable
{
    private WebApplication _app;
    private readonly Timer _bookmarks;
    private readonly ConcurrentQueue<ApiRequestRecord> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, UserInfo> _tokens = new(StringComparer.Ordinal);

    private KubeApiServer(WebApplication app, ObjectStore store, KubeApiServerOptions options)
    {
        _app = app;
        Store = store;
        Options = options;
        _bookmarks = new Timer(_ => Store.SendBookmarks(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The storage behind the server: seed, read and mutate objects directly, drop watches, compact history.</summary>
    public ObjectStore Store { get; }

    /// <summary>Issues a bearer token that authenticates as <paramref name="user"/> (for a ServiceAccount: <see cref="UserInfo.ServiceAccount"/>).</summary>
    public string IssueToken(UserInfo user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        _tokens[token] = user;
        return token;
    }

    /// <summary>Every resource request with the user who made it and whether RBAC allowed it, in order.</summary>
    public IReadOnlyCollection<AuthorizationRecord> AuthorizationLog => _authorizationLog;

    private readonly ConcurrentQueue<AuthorizationRecord> _authorizationLog = new();

    /// <summary>The validating admission webhooks the double calls (configured by ValidatingWebhookConfigurations in the store).</summary>
    public ValidatingWebhooks Webhooks { get; private set; } = null!;

    /// <summary>Failures to inject into chosen requests.</summary>
    public FaultInjector Faults { get; } = new();

    /// <summary>The settings in force.</summary>
    public KubeApiServerOptions Options { get; }

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Every resource request served so far, with its HTTP status.</summary>
    public IReadOnlyCollection<ApiRequestRecord> Requests => _requests;

    /// <summary>Starts a server on <see cref="KubeApiServerOptions.Address"/> (127.0.0.1 unless set).</summary>
    public static async Task<KubeApiServer> StartAsync(KubeApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiServerOptions();
        var server = new KubeApiServer(null!, new ObjectStore(options.Resources, options.Time), options);
        server.Webhooks = new ValidatingWebhooks(server.Store, options);
        server.SeedDefinitions();
        server._app = await server.ListenAsync(options.Port, cancellationToken);
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        server._bookmarks.Change(options.BookmarkInterval, options.BookmarkInterval);
        return server;
    }

    /// <summary>The PEM of the CA that signed the serving certificate (with <see cref="KubeApiServerOptions.Tls"/>), else null.</summary>
    public string? CaCertificatePem => _tls?.CaPem;

    private (System.Security.Cryptography.X509Certificates.X509Certificate2 Serving, string CaPem)? _tls;

    private async Task<WebApplication> ListenAsync(int port, CancellationToken cancellationToken)
    {
        if (Options.Tls && _tls is null)
        {
            _tls = IssueServingCertificate(Options.Address);
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(Options.Address, port, listen =>
        {
            if (_tls is { } tls)
            {
                listen.UseHttps(tls.Serving);
            }
        }));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken);
        return app;
    }

    /// <summary>A CA and a serving certificate for 127.0.0.1, localhost and the listening address, as a cluster's API server has.</summary>
    private static (System.Security.Cryptography.X509Certificates.X509Certificate2, string) IssueServingCertificate(IPAddress address)
    {
        using var caKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=isthmus-double-ca", caKey, System.Security.Cryptography.HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30));
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=kube-apiserver", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        if (!address.Equals(IPAddress.Loopback))
        {
            san.AddIpAddress(address);
        }

        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension([new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(29), System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        using var withKey = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.CopyWithPrivateKey(signed, key);
        var serving = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(withKey.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null);
        return (serving, ca.ExportCertificatePem());
    }

    /// <summary>Whether the server is listening (false between <see cref="StopServingAsync"/> and <see cref="ResumeServingAsync"/>).</summary>
    public bool Serving { get; private set; } = true;

    /// <summary>
    /// Stops answering, as an API server going down for a restart or an upgrade: open watches are cut and new
    /// connections are refused. The objects and their history stay, as etcd keeps them.
    /// </summary>
    public async Task StopServingAsync()
    {
        if (!Serving)
        {
            return;
        }
        Serving = false;
        Store.DropWatches(abortConnections: true);
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopTimeout.Token);
        }
        await _app.DisposeAsync();
    }

    /// <summary>Answers again on the same address, with the same objects: watches resume from their resourceVersion.</summary>
    public async Task ResumeServingAsync(CancellationToken cancellationToken = default)
    {
        if (Serving)
        {
            return;
        }
        _app = await ListenAsync(BaseUri.Port, cancellationToken);
        Serving = true;
    }

    /// <summary>The number of successful writes (create, update, patch, delete) that match, or all of them.</summary>
    public int WriteCount(Func<ApiRequest, bool>? match = null) =>
        _requests.Count(r => r.Request.IsWrite && r.StatusCode < 400 && (match is null || match(r.Request)));

    /// <summary>Forgets the request log (and so resets <see cref="WriteCount"/>).</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Ends every open watch; see <see cref="ObjectStore.DropWatches"/>.</summary>
    public int DropWatches(bool abortConnections = true) => Store.DropWatches(abortConnections);

    /// <summary>Writes a kubeconfig that points kubectl (or any client) at this server, and returns its path.</summary>
    public string WriteKubeconfig(string path, string defaultNamespace = "default", string? token = null)
    {
        var user = token is null ? "{}" : $"{{ token: {token} }}";
        var ca = CaCertificatePem is { } pem ? "\n    certificate-authority-data: " + Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem)) : "";
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: isthmus-double
              cluster:
                server: {{BaseUri.ToString().TrimEnd('/')}}{{ca}}
            contexts:
            - name: isthmus-double
              context:
                cluster: isthmus-double
                user: isthmus-double
                namespace: {{defaultNamespace}}
            current-context: isthmus-double
            users:
            - name: isthmus-double
              user: {{user}}

            """);
        return path;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _bookmarks.DisposeAsync();
        await _stopping.CancelAsync();
        Store.DropWatches(abortConnections: false);
        if (Serving)
        {
            using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            {
                await _app.StopAsync(stopTimeout.Token);
            }

            await _app.DisposeAsync();
        }
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        ApiRequest? request = null;
        try
        {
            var path = context.Request.Path.Value ?? "/";
            var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (TryDiscovery(segments) is { } discovery)
            {
                await WriteJsonAsync(context, 200, discovery);
                return;
            }

            var user = Authenticate(context);
            var admission = ValidatingWebhooks.Begin(user);
            request = Resolve(context.Request.Method, segments, path, context.Request.Query);
            if (Options.Rbac)
            {
                try
                {
                    new RbacAuthorizer(Store).Authorize(user, request);
                }
                catch (ApiStatusException)
                {
                    _authorizationLog.Enqueue(new AuthorizationRecord(user, request, Allowed: false));
                    throw;
                }
            }
            _authorizationLog.Enqueue(new AuthorizationRecord(user, request, Allowed: true));
            if (Faults.Take(request) is { } injected)
            {
                if (injected.Code == 429)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                throw injected;
            }

            if (request.Verb == "watch")
            {
                await WatchAsync(context, request);
                Log(request, 200);
                return;
            }

            var (code, body) = await ServeAsync(context, request);
            foreach (var warning in admission.Warnings)
            {
                context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "'", StringComparison.Ordinal)}\"");
            }
            _requests.Enqueue(new ApiRequestRecord(request, code) { Items = request.Verb == "list" ? (body["items"] as JsonArray)?.Count : null });
            await WriteJsonAsync(context, code, body);
        }
        catch (ApiStatusException e)
        {
            if (request is not null)
            {
                Log(request, e.Code);
            }

            await WriteJsonAsync(context, e.Code, e.ToStatus());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A defect of the double itself: answer as the API server answers an internal error.
            var failure = new ApiStatusException(500, "InternalError", "Internal error occurred: " + e.Message);
            if (request is not null)
            {
                Log(request, 500);
            }

            await WriteJsonAsync(context, 500, failure.ToStatus());
        }
    }

    /// <summary>The user of a request's bearer token; 401 for a token this server did not issue.</summary>
    private UserInfo Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return _tokens.TryGetValue(header[7..].Trim(), out var user)
                ? user
                : throw new ApiStatusException(401, "Unauthorized", "Unauthorized");
        }
        return Options.Rbac ? UserInfo.Anonymous : UserInfo.Admin;
    }

    /// <summary>
    /// Validating admission webhooks, called outside the store's lock on the object as the API server would hand it
    /// to them: decoded (pruned, defaulted) and schema-validated first, so that a schema error wins over a webhook's
    /// refusal as on a real server. The store decodes and validates again when it writes.
    /// </summary>
    private async Task AdmitAsync(string operation, ApiRequest request, JsonObject obj, JsonObject? current, Microsoft.Extensions.Primitives.StringValues fieldValidation, CancellationToken cancellationToken)
    {
        var resource = request.Resource;
        if (Webhooks.Matching(resource, request.Subresource, operation).Count == 0)
        {
            return;
        }
        var proposed = (JsonObject)obj.DeepClone();
        if (resource.Namespaced && request.Namespace is not null && proposed["metadata"] is JsonObject metadata)
        {
            metadata["namespace"] = request.Namespace;
        }
        if (Admission(resource, fieldValidation, patch: false) is { } schema)
        {
            schema.Decode(proposed);
            schema.Validate(proposed, current, request.Subresource == "status");
            if (current is not null)
            {
                // The API server defaults what it reads from storage too: the webhook's oldObject is defaulted.
                current = (JsonObject)current.DeepClone();
                Admission(resource, "Ignore", patch: false)!.Decode(current);
            }
        }
        var name = request.Name ?? Meta.Name(proposed) ?? "";
        await Webhooks.AdmitAsync(new AdmissionAttributes(operation, resource, request.Subresource, request.Namespace, name, proposed, current), cancellationToken);
    }

    private void Log(ApiRequest request, int code) => _requests.Enqueue(new ApiRequestRecord(request, code));

    private ApiRequest Resolve(string method, string[] segments, string path, IQueryCollection query)
    {
        var notFound = new ApiStatusException(404, "NotFound", "the server could not find the requested resource");
        string group;
        string version;
        string[] rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], segments[2..]);
        }
        else if (segments.Length >= 3 && segments[0] == "apis")
        {
            (group, version, rest) = (segments[1], segments[2], segments[3..]);
        }
        else
        {
            throw notFound;
        }

        var watchPrefix = rest.Length > 0 && rest[0] == "watch";
        if (watchPrefix)
        {
            rest = rest[1..];
        }

        ApiResource? resource;
        string? ns = null;
        string? name;
        string? sub;
        if (rest.Length >= 3 && rest[0] == "namespaces" && Store.FindResource(group, version, rest[2]) is { Namespaced: true } namespaced)
        {
            if (rest.Length > 5)
            {
                throw notFound;
            }

            (resource, ns, name, sub) = (namespaced, rest[1], rest.ElementAtOrDefault(3), rest.ElementAtOrDefault(4));
        }
        else
        {
            if (rest.Length is 0 or > 3)
            {
                throw notFound;
            }

            resource = Store.FindResource(group, version, rest[0]) ?? throw notFound;
            (name, sub) = (rest.ElementAtOrDefault(1), rest.ElementAtOrDefault(2));
            if (resource.Namespaced && name is not null)
            {
                throw notFound;
            }
        }

        if (sub is not null && !(sub == "status" && resource.HasStatusSubresource))
        {
            throw notFound;
        }

        var watch = watchPrefix || IsTrue(query["watch"]);
        var verb = method switch
        {
            "GET" when watch => "watch",
            "GET" => name is null ? "list" : "get",
            "POST" when name is null => "create",
            "PUT" when name is not null => "update",
            "PATCH" when name is not null => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => throw ApiStatusException.MethodNotAllowed(method, path),
        };
        return new ApiRequest(verb, resource, ns, name, sub, path) { LabelSelector = query["labelSelector"].ToString() is { Length: > 0 } l ? l : null };
    }

    private async Task<(int Code, JsonNode Body)> ServeAsync(HttpContext context, ApiRequest request)
    {
        var query = context.Request.Query;
        if (query.ContainsKey("dryRun"))
        {
            throw ApiStatusException.BadRequest("dryRun is not supported by the Isthmus API-server double");
        }

        var resource = request.Resource;
        var status = request.Subresource == "status";
        var admission = request.Verb is "create" or "update" or "patch" ? Admission(resource, query["fieldValidation"], request.Verb == "patch") : null;
        if (request.Verb is "create" or "update" or "patch")
        {
            // Warnings go out with the response, whatever its status.
            context.Response.OnStarting(() =>
            {
                foreach (var warning in (admission as CustomResourceAdmission)?.Warnings ?? [])
                {
                    context.Response.Headers.Append("Warning", "299 - \"" + warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
                }

                return Task.CompletedTask;
            });
        }

        switch (request.Verb)
        {
            case "get":
            {
                var obj = GetWithOtherEvents(resource, request.Namespace, request.Name!);
                return (200, WantsTable(context) ? RenderTable(resource, [obj], Meta.ResourceVersion(obj)!) : obj);
            }

            case "list":
            {
                var labels = LabelSelector.Parse(query["labelSelector"]);
                var fields = FieldSelector.Parse(query["fieldSelector"], resource);
                var list = MergeOtherEvents(resource, request.Namespace, labels, fields, Store.List(resource, request.Namespace, labels, fields));
                if (WantsTable(context))
                {
                    var items = ((JsonArray)list["items"]!).Select(n => (JsonObject)n!).ToList();
                    return (200, RenderTable(resource, items, (string)list["metadata"]!["resourceVersion"]!));
                }

                return (200, list);
            }

            case "create":
            {
                var body = await ReadObjectAsync(context);
                await AdmitAsync("CREATE", request, body, null, query["fieldValidation"], context.RequestAborted);
                var created = Store.Create(resource, request.Namespace, body, admission);
                return (201, IsDefinitions(resource) ? Establish(created, previous: null) : created);
            }

            case "update":
            {
                var body = await ReadObjectAsync(context);
                var previous = IsDefinitions(resource) ? Store.Read(resource, null, request.Name!) : null;
                if (Webhooks.Matching(resource, request.Subresource, "UPDATE").Count > 0)
                {
                    await AdmitAsync("UPDATE", request, body, Store.Get(resource, request.Namespace, request.Name!), query["fieldValidation"], context.RequestAborted);
                }
                var updated = Store.Replace(resource, request.Namespace, request.Name!, body, status, admission);
                return (200, IsDefinitions(resource) && !status ? Establish(updated, previous) : updated);
            }

            case "patch":
            {
                var body = JsonPatches.ParseBody(await ReadBodyAsync(context));
                var contentType = context.Request.ContentType ?? "";
                if (Webhooks.Matching(resource, request.Subresource, "UPDATE").Count == 0)
                {
                    var previous = IsDefinitions(resource) ? Store.Read(resource, null, request.Name!) : null;
                    var patched = Store.Patch(resource, request.Namespace, request.Name!, contentType, body, status, admission);
                    return (200, IsDefinitions(resource) && !status ? Establish(patched, previous) : patched);
                }
                // As the API server does: apply the patch to the current object, admit the result, and store it only
                // if nothing changed meanwhile (else start again from the newer object).
                var patcher = ObjectStore.Patcher(resource, contentType, body);
                for (var attempt = 0; ; attempt++)
                {
                    var current = Store.Get(resource, request.Namespace, request.Name!);
                    var proposed = patcher((JsonObject)current.DeepClone());
                    var stored = Meta.ResourceVersion(proposed);
                    if (!string.IsNullOrEmpty(stored) && stored != Meta.ResourceVersion(current))
                    {
                        throw ApiStatusException.Conflict(resource, request.Name!);
                    }
                    await AdmitAsync("UPDATE", request, proposed, current, query["fieldValidation"], context.RequestAborted);
                    Meta.Of(proposed)["resourceVersion"] = Meta.ResourceVersion(current);
                    try
                    {
                        return (200, Store.Replace(resource, request.Namespace, request.Name!, proposed, status, admission));
                    }
                    catch (ApiStatusException e) when (e.Code == 409 && attempt < 5)
                    {
                    }
                }
            }

            case "delete":
            {
                if (IsDefinitions(resource) && Store.Read(resource, null, request.Name!) is { } definition)
                {
                    StopServing(definition);
                }

                var text = await ReadBodyAsync(context);
                var options = text.Length == 0 ? null : JsonPatches.ParseBody(text) as JsonObject;
                options ??= query.ContainsKey("propagationPolicy") ? new JsonObject { ["propagationPolicy"] = query["propagationPolicy"].ToString() } : null;
                var (obj, deleted) = Store.Delete(resource, request.Namespace, request.Name!, options);
                if (!deleted || resource.ReturnsDeletedObject)
                {
                    return (200, obj);
                }

                return (200, new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = new JsonObject
                    {
                        ["name"] = request.Name,
                        ["group"] = resource.Group,
                        ["kind"] = resource.Plural,
                        ["uid"] = Meta.Uid(obj),
                    },
                });
            }

            case "deletecollection":
                return (200, Store.DeleteCollection(resource, request.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"], resource)));
            default:
                throw ApiStatusException.MethodNotAllowed(context.Request.Method, request.Path);
        }
    }

    private async Task WatchAsync(HttpContext context, ApiRequest request)
    {
        var query = context.Request.Query;
        var fields = query["fieldSelector"].ToString();
        if (request.Name is not null)
        {
            fields = string.IsNullOrEmpty(fields) ? "metadata.name=" + request.Name : fields + ",metadata.name=" + request.Name;
        }

        using var sub = Store.Watch(
            request.Resource,
            request.Namespace,
            LabelSelector.Parse(query["labelSelector"]),
            FieldSelector.Parse(fields, request.Resource),
            query["resourceVersion"],
            IsTrue(query["allowWatchBookmarks"]));
        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        if (int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var timeout) && timeout > 0)
        {
            lifetime.CancelAfter(TimeSpan.FromSeconds(timeout));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.StartAsync(lifetime.Token);
        await context.Response.Body.FlushAsync(lifetime.Token);
        try
        {
            await foreach (var line in sub.Events.ReadAllAsync(lifetime.Token))
            {
                await context.Response.WriteAsync(line + "\n", lifetime.Token);
                await context.Response.Body.FlushAsync(lifetime.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, the watch timed out or the server is stopping: the response just ends.
            return;
        }

        if (sub.Aborted)
        {
            context.Abort();
        }
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.ToString() is "true" or "1" or "True";

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context) =>
        JsonPatches.ParseBody(await ReadBodyAsync(context)) as JsonObject
        ?? throw ApiStatusException.BadRequest("the request body must be a JSON object");

    private static async Task WriteJsonAsync(HttpContext context, int code, JsonNode body)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = body["kind"]?.GetValue<string>() == "Table"
            ? "application/json;as=Table;v=v1;g=meta.k8s.io"
            : "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
