using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Admission;

/// <summary>
/// The validating admission webhook over HTTPS: <c>POST /validate/ipsectunnels</c> and
/// <c>POST /validate/trafficselectors</c> answer AdmissionReviews (<see cref="AdmissionReviewHandler"/>). It runs on
/// every replica, leader or not, and reads no cache, so a standby answers as well as the leader. The certificate
/// comes from <see cref="IWebhookCertificateSource.Current"/> at each handshake, so a renewal needs no restart.
/// </summary>
public sealed class WebhookServer : IAsyncDisposable
{
    /// <summary>The paths the ValidatingWebhookConfiguration calls.</summary>
    public const string TunnelsPath = "/validate/ipsectunnels";
    public const string TrafficSelectorsPath = "/validate/trafficselectors";

    private readonly WebApplication _app;

    private WebhookServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port actually bound (useful with port 0 in tests).</summary>
    public int Port { get; }

    public static async Task<WebhookServer> StartAsync(int port, IPAddress address, IWebhookCertificateSource certificates, AdmissionReviewHandler handler, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(handler);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
            kestrel.Listen(address, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(https => https.ServerCertificateSelector = (_, _) => certificates.Current);
            });
        });
        var app = builder.Build();
        foreach (var path in (string[])[TunnelsPath, TrafficSelectorsPath])
        {
            app.MapPost(path, async (HttpContext context) =>
            {
                string body;
                using (var reader = new StreamReader(context.Request.Body))
                {
                    body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
                }
                try
                {
                    var answer = handler.Handle(AdmissionReviewHandler.Parse(body));
                    var allowed = answer["response"]?["allowed"]?.GetValue<bool>() == true;
                    if (!allowed)
                    {
                        logger.LogInformation("Admission refused {Path}: {Message}", path, answer["response"]?["status"]?["message"]?.GetValue<string>());
                    }
                    return Results.Text(answer.ToJsonString(), "application/json");
                }
                catch (ArgumentException e)
                {
                    return Results.Text(e.Message, statusCode: StatusCodes.Status400BadRequest);
                }
            });
        }
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address0 = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var bound = address0 is null ? port : new Uri(address0.Replace("[::]", "localhost", StringComparison.Ordinal).Replace("0.0.0.0", "localhost", StringComparison.Ordinal)).Port;
        return new WebhookServer(app, bound);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
