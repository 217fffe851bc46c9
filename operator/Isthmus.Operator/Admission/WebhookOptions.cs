using Isthmus.Ike.Config;

namespace Isthmus.Operator.Admission;

/// <summary>Settings of the validating admission webhook that both operator replicas serve.</summary>
public sealed record WebhookOptions
{
    /// <summary>HTTPS port of the webhook (<c>--webhook-port</c>); 0 turns the webhook off.</summary>
    public int Port { get; init; }

    /// <summary>The Service in front of the replicas (<c>--webhook-service</c>): its DNS names are on the serving certificate.</summary>
    public string ServiceName { get; init; } = "isthmus-webhook";

    /// <summary>The ValidatingWebhookConfiguration whose caBundle the operator keeps current (<c>--webhook-configuration</c>); empty when cert-manager injects it.</summary>
    public string ConfigurationName { get; init; } = "";

    /// <summary>The Secret of the operator's namespace holding its webhook CA and serving certificate (<c>--webhook-cert-secret</c>).</summary>
    public string CertificateSecret { get; init; } = "isthmus-webhook-tls";

    /// <summary>A directory with tls.crt and tls.key written by cert-manager (<c>--webhook-cert-dir</c>); when set, the operator manages no CA.</summary>
    public string? CertificateDirectory { get; init; }

    /// <summary>How often the Secret and the configuration's caBundle are checked once in order.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The site's crypto policy (<c>--forbid-weak-crypto</c>, <c>--forbid-algorithm</c>), applied by the webhook and by the Accepted condition.</summary>
    public CryptoPolicy Policy { get; init; } = CryptoPolicy.AllowAll;
}
