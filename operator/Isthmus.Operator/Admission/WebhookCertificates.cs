using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Isthmus.Operator.Admission;

/// <summary>Where the webhook's serving certificate comes from; <see cref="Current"/> is null until one is loaded.</summary>
public interface IWebhookCertificateSource
{
    X509Certificate2? Current { get; }

    /// <summary>Keeps the certificate current until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The operator as its own certificate authority (the default, no cert-manager needed): the CA and serving
/// certificate live in one Secret of the operator's namespace, which the first replica to start creates and
/// every replica reads, so both serve the same certificate. Each replica re-reads the Secret and the configuration every
/// <see cref="RefreshInterval"/>, renews what is near its end (<see cref="WebhookCertificateAuthority.Renew"/>;
/// a concurrent renewal by the other replica loses on resourceVersion and adopts the winner's), and keeps the
/// <c>caBundle</c> of every webhook in the ValidatingWebhookConfiguration equal to the CA bundle, restoring it
/// when an upgrade of the chart has reset it.
/// </summary>
public sealed class ManagedWebhookCertificates : IWebhookCertificateSource
{
    private readonly IKubernetes _client;
    private readonly WebhookOptions _options;
    private readonly string _namespace;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private volatile X509Certificate2? _current;
    private string? _loadedCertPem;

    public ManagedWebhookCertificates(IKubernetes client, WebhookOptions options, string @namespace, ILogger logger, TimeProvider? time = null)
    {
        _client = client;
        _options = options;
        _namespace = @namespace;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>How often the Secret and the webhook configuration are checked once they are in order.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How soon a failed check is retried.</summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(5);

    public X509Certificate2? Current => _current;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var delay = RefreshInterval;
            try
            {
                await SyncAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Webhook certificate: {Error} (retrying in {Delay})", Describe(e), RetryInterval);
                delay = RetryInterval;
            }
            try
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: load or renew the material, serve it, and keep the configuration's caBundle equal to it.</summary>
    public async Task SyncAsync(CancellationToken cancellationToken)
    {
        var material = await EnsureMaterialAsync(cancellationToken).ConfigureAwait(false);
        Load(material);
        if (!string.IsNullOrEmpty(_options.ConfigurationName))
        {
            await InjectCaBundleAsync(material, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<WebhookTlsMaterial> EnsureMaterialAsync(CancellationToken cancellationToken)
    {
        var names = WebhookCertificateAuthority.DnsNames(_options.ServiceName, _namespace);
        for (var attempt = 0; ; attempt++)
        {
            var secret = await ReadSecretAsync(cancellationToken).ConfigureAwait(false);
            var current = WebhookTlsMaterial.FromSecretData(secret?.Data);
            var renewed = WebhookCertificateAuthority.Renew(current, names, _time.GetUtcNow(), out var reason);
            if (renewed is null)
            {
                return current!;
            }
            try
            {
                await WriteSecretAsync(secret, renewed, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Issued the webhook's TLS material in Secret {Namespace}/{Name}: {Reason}", _namespace, _options.CertificateSecret, reason);
                return renewed;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                // The other replica wrote first: read and adopt its material.
            }
        }
    }

    private async Task<V1Secret?> ReadSecretAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedSecretAsync(_options.CertificateSecret, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task WriteSecretAsync(V1Secret? existing, WebhookTlsMaterial material, CancellationToken cancellationToken)
    {
        var secret = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = _options.CertificateSecret,
                NamespaceProperty = _namespace,
                Labels = new Dictionary<string, string>
                {
                    [Nodes.NodeObjectNames.ManagedByLabel] = Nodes.NodeObjectNames.ManagedBy,
                    ["app.kubernetes.io/component"] = "webhook",
                },
                ResourceVersion = existing?.Metadata?.ResourceVersion,
            },
            Data = material.ToSecretData(),
        };
        if (existing is null)
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, fieldManager: Nodes.NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, _namespace, fieldManager: Nodes.NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private void Load(WebhookTlsMaterial material)
    {
        if (material.TlsCertPem == _loadedCertPem)
        {
            return;
        }
        var certificate = material.ServingCertificate();
        _current = certificate;
        _loadedCertPem = material.TlsCertPem;
        _logger.LogInformation("Serving the admission webhook with a certificate valid until {NotAfter:yyyy-MM-dd} ({Subject})", certificate.NotAfter.ToUniversalTime(), certificate.Subject);
    }

    private async Task InjectCaBundleAsync(WebhookTlsMaterial material, CancellationToken cancellationToken)
    {
        var bundle = System.Text.Encoding.ASCII.GetBytes(material.CaBundlePem);
        for (var attempt = 0; ; attempt++)
        {
            V1ValidatingWebhookConfiguration configuration;
            try
            {
                configuration = await _client.AdmissionregistrationV1.ReadValidatingWebhookConfigurationAsync(_options.ConfigurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
            {
                throw new InvalidOperationException($"ValidatingWebhookConfiguration {_options.ConfigurationName} not found; it is installed with the chart");
            }
            var stale = (configuration.Webhooks ?? []).Where(w => w.ClientConfig is not null && !(w.ClientConfig.CaBundle ?? []).AsSpan().SequenceEqual(bundle)).ToList();
            if (stale.Count == 0)
            {
                return;
            }
            foreach (var webhook in stale)
            {
                webhook.ClientConfig.CaBundle = bundle;
            }
            try
            {
                await _client.AdmissionregistrationV1.ReplaceValidatingWebhookConfigurationAsync(configuration, configuration.Metadata.Name, fieldManager: Nodes.NodeObjectNames.ManagedBy, cancellationToken: cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("Set the CA bundle of {Count} webhook(s) in ValidatingWebhookConfiguration {Name}", stale.Count, configuration.Metadata.Name);
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
            }
        }
    }

    private static string Describe(Exception e) => e switch
    {
        HttpOperationException h => $"{(int?)h.Response?.StatusCode} {h.Response?.ReasonPhrase}: {h.Response?.Content}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}

/// <summary>
/// A serving certificate written by someone else (cert-manager) into a mounted Secret: <c>tls.crt</c> and
/// <c>tls.key</c> in a directory, reloaded when the files change (the kubelet updates a mounted Secret in place).
/// The CA bundle is cert-manager's to inject.
/// </summary>
public sealed class DirectoryWebhookCertificates(string directory, ILogger logger, TimeProvider? time = null) : IWebhookCertificateSource
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile X509Certificate2? _current;
    private string? _loaded;

    /// <summary>How often the files are checked.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    public X509Certificate2? Current => _current;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Reload();
            try
            {
                await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Loads the files if they changed since the last load; a broken pair keeps the previous certificate.</summary>
    public void Reload()
    {
        var certFile = Path.Combine(directory, WebhookTlsMaterial.TlsCertKey);
        var keyFile = Path.Combine(directory, WebhookTlsMaterial.TlsKeyKey);
        try
        {
            var certPem = File.ReadAllText(certFile);
            var keyPem = File.ReadAllText(keyFile);
            if (certPem + keyPem == _loaded)
            {
                return;
            }
            var certificate = X509Certificate2.CreateFromPem(certPem, keyPem);
            _current = certificate;
            _loaded = certPem + keyPem;
            logger.LogInformation("Serving the admission webhook with the certificate in {Directory}, valid until {NotAfter:yyyy-MM-dd}", directory, certificate.NotAfter.ToUniversalTime());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            logger.LogWarning("Webhook certificate in {Directory} not usable yet: {Message}", directory, e.Message);
        }
    }
}
