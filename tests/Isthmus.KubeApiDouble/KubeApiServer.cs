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
/// the resources of <see cref="KubeApiServerOptions.Resources"/> from an <see cref="ObjectStore"/>, watches as chunked
/// JSON lines, server-side tables for kubectl, and injected faults.
/// </summary>
public sealed partial class KubeApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Timer _bookmarks;
    private readonly ConcurrentQueue<ApiRequestRecord> _requests = new();
    private readonly CancellationTokenSource _stopping = new();

    private KubeApiServer(WebApplication app, ObjectStore store, KubeApiServerOptions options)
    {
        _app = app;
        Store = store;
        Options = options;
        _bookmarks = new Timer(_ => Store.SendBookmarks(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>The storage behind the server: seed, read and mutate objects directly, drop watches, compact history.</summary>
    public ObjectStore Store { get; }

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(options.Address, options.Port));
        var app = builder.Build();
        var server = new KubeApiServer(app, new ObjectStore(options.Resources, options.Time), options);
        app.Run(server.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.EndsWith('/') ? address : address + "/");
        server._bookmarks.Change(options.BookmarkInterval, options.BookmarkInterval);
        return server;
    }

    /// <summary>The number of successful writes (create, update, patch, delete) that match, or all of them.</summary>
    public int WriteCount(Func<ApiRequest, bool>? match = null) =>
        _requests.Count(r => r.Request.IsWrite && r.StatusCode < 400 && (match is null || match(r.Request)));

    /// <summary>Forgets the request log (and so resets <see cref="WriteCount"/>).</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Ends every open watch; see <see cref="ObjectStore.DropWatches"/>.</summary>
    public int DropWatches(bool abortConnections = true) => Store.DropWatches(abortConnections);

    /// <summary>Writes a kubeconfig that points kubectl (or any client) at this server, and returns its path.</summary>
    public string WriteKubeconfig(string path, string defaultNamespace = "default")
    {
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: isthmus-double
              cluster:
                server: {{BaseUri.ToString().TrimEnd('/')}}
            contexts:
            - name: isthmus-double
              context:
                cluster: isthmus-double
                user: isthmus-double
                namespace: {{defaultNamespace}}
            current-context: isthmus-double
            users:
            - name: isthmus-double
              user: {}

            """);
        return path;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _bookmarks.DisposeAsync();
        await _stopping.CancelAsync();
        Store.DropWatches(abortConnections: false);
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(stopTimeout.Token);
        }

        await _app.DisposeAsync();
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

            request = Resolve(context.Request.Method, segments, path, context.Request.Query);
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
            Log(request, code);
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
        return new ApiRequest(verb, resource, ns, name, sub, path);
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
                return (201, Store.Create(resource, request.Namespace, await ReadObjectAsync(context)));
            case "update":
                return (200, Store.Replace(resource, request.Namespace, request.Name!, await ReadObjectAsync(context), status));
            case "patch":
            {
                var body = JsonPatches.ParseBody(await ReadBodyAsync(context));
                return (200, Store.Patch(resource, request.Namespace, request.Name!, context.Request.ContentType ?? "", body, status));
            }

            case "delete":
            {
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
