using System.Net;
using k8s;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Admission;

/// <summary>
/// The webhook as the operator process runs it: the certificate source (the operator's own CA, or cert-manager's
/// files) kept current in the background, and the HTTPS server. Started before leader election, so every
/// replica answers; stopped when the process stops.
/// </summary>
public sealed class AdmissionWebhook : IAsyncDisposable
{
    private readonly WebhookServer _server;
    private readonly CancellationTokenSource _stop;
    private readonly Task _certificates;

    private AdmissionWebhook(WebhookServer server, CancellationTokenSource stop, Task certificates, IWebhookCertificateSource source)
    {
        _server = server;
        _stop = stop;
        _certificates = certificates;
        Certificates = source;
    }

    /// <summary>The port the webhook listens on.</summary>
    public int Port => _server.Port;

    /// <summary>Where the serving certificate comes from.</summary>
    public IWebhookCertificateSource Certificates { get; }

    /// <summary>Starts the webhook when <see cref="WebhookOptions.Port"/> is set; null otherwise.</summary>
    public static async Task<AdmissionWebhook?> StartAsync(IKubernetes client, OperatorOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var webhook = options.Webhook;
        if (webhook.Port <= 0)
        {
            return null;
        }
        var logger = loggers.CreateLogger("webhook");
        IWebhookCertificateSource source = webhook.CertificateDirectory is { Length: > 0 } directory
            ? new DirectoryWebhookCertificates(directory, logger)
            : new ManagedWebhookCertificates(client, webhook, options.Namespace, logger) { RefreshInterval = webhook.RefreshInterval };
        var stop = new CancellationTokenSource();
        var certificates = Task.Run(() => source.RunAsync(stop.Token), CancellationToken.None);
        try
        {
            var server = await WebhookServer.StartAsync(webhook.Port, IPAddress.Any, source, new AdmissionReviewHandler(webhook.Policy), logger, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Admission webhook listening on port {Port} (crypto policy: {Policy})", server.Port, Describe(webhook.Policy));
            return new AdmissionWebhook(server, stop, certificates, source);
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await certificates.ConfigureAwait(false);
            stop.Dispose();
            throw;
        }
    }

    private static string Describe(Ike.Config.CryptoPolicy policy) => policy.IsEmpty
        ? "none"
        : string.Join(", ", (policy.ForbidWeak ? ["weak algorithms"] : Array.Empty<string>()).Concat(policy.ForbiddenKeywords));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        await _certificates.ConfigureAwait(false);
        _stop.Dispose();
    }
}
