using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Isthmus.Operator.Admission;

/// <summary>
/// The webhook's TLS material as kept in its Secret: the CA bundle the API server trusts (<c>ca.crt</c>: the
/// current CA, then a previous one while it is still valid, so that a CA rollover never fails a call), the
/// current CA's key (<c>ca.key</c>), and the serving certificate and key (<c>tls.crt</c>, <c>tls.key</c>).
/// </summary>
public sealed record WebhookTlsMaterial(string CaBundlePem, string CaKeyPem, string TlsCertPem, string TlsKeyPem)
{
    /// <summary>The Secret's keys.</summary>
    public const string CaBundleKey = "ca.crt";
    public const string CaKeyKey = "ca.key";
    public const string TlsCertKey = "tls.crt";
    public const string TlsKeyKey = "tls.key";

    /// <summary>Reads the material from a Secret's data; null when a key is missing or does not parse.</summary>
    public static WebhookTlsMaterial? FromSecretData(IDictionary<string, byte[]>? data)
    {
        if (data is null
            || !data.TryGetValue(CaBundleKey, out var bundle) || !data.TryGetValue(CaKeyKey, out var caKey)
            || !data.TryGetValue(TlsCertKey, out var cert) || !data.TryGetValue(TlsKeyKey, out var key))
        {
            return null;
        }
        var material = new WebhookTlsMaterial(
            System.Text.Encoding.ASCII.GetString(bundle), System.Text.Encoding.ASCII.GetString(caKey),
            System.Text.Encoding.ASCII.GetString(cert), System.Text.Encoding.ASCII.GetString(key));
        try
        {
            using var serving = material.ServingCertificate();
            _ = material.CaCertificates();
            return material;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The material as a Secret's data.</summary>
    public Dictionary<string, byte[]> ToSecretData() => new(StringComparer.Ordinal)
    {
        [CaBundleKey] = System.Text.Encoding.ASCII.GetBytes(CaBundlePem),
        [CaKeyKey] = System.Text.Encoding.ASCII.GetBytes(CaKeyPem),
        [TlsCertKey] = System.Text.Encoding.ASCII.GetBytes(TlsCertPem),
        [TlsKeyKey] = System.Text.Encoding.ASCII.GetBytes(TlsKeyPem),
    };

    /// <summary>The serving certificate with its private key, for Kestrel.</summary>
    public X509Certificate2 ServingCertificate() => X509Certificate2.CreateFromPem(TlsCertPem, TlsKeyPem);

    /// <summary>The CA certificates of the bundle, current first.</summary>
    public X509Certificate2Collection CaCertificates()
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(CaBundlePem);
        if (collection.Count == 0)
        {
            throw new CryptographicException("the CA bundle holds no certificate");
        }
        return collection;
    }
}

/// <summary>
/// A small certificate authority for the admission webhook, so that a cluster without cert-manager still gets
/// TLS the API server can verify: an ECDSA P-256 CA valid ten years, and a serving certificate for the webhook
/// Service's DNS names valid one year. <see cref="Renew"/> decides what has to be issued again.
/// </summary>
public static class WebhookCertificateAuthority
{
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan CaRenewBefore = TimeSpan.FromDays(365);
    public static readonly TimeSpan ServingValidity = TimeSpan.FromDays(365);
    public static readonly TimeSpan ServingRenewBefore = TimeSpan.FromDays(60);

    /// <summary>The names a client may use for Service <paramref name="service"/> in <paramref name="namespace"/>.</summary>
    public static IReadOnlyList<string> DnsNames(string service, string @namespace) =>
        [service, $"{service}.{@namespace}", $"{service}.{@namespace}.svc", $"{service}.{@namespace}.svc.cluster.local"];

    /// <summary>
    /// <paramref name="current"/> if it is still good at <paramref name="now"/> for <paramref name="dnsNames"/>;
    /// otherwise new material (a new serving certificate, and a new CA too when the CA is missing or near its end),
    /// with <paramref name="reason"/> saying why. Returns null when nothing needs to change.
    /// </summary>
    public static WebhookTlsMaterial? Renew(WebhookTlsMaterial? current, IReadOnlyList<string> dnsNames, DateTimeOffset now, out string reason)
    {
        ArgumentNullException.ThrowIfNull(dnsNames);
        if (current is null)
        {
            reason = "no CA and serving certificate yet";
            return Issue(null, dnsNames, now);
        }
        using var caCollectionOwner = new DisposableCollection(current.CaCertificates());
        var ca = caCollectionOwner.Collection[0];
        if (ca.NotAfter.ToUniversalTime() - now.UtcDateTime < CaRenewBefore)
        {
            reason = $"the CA expires {ca.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            return Issue(current, dnsNames, now);
        }
        using var serving = current.ServingCertificate();
        if (serving.NotAfter.ToUniversalTime() - now.UtcDateTime < ServingRenewBefore)
        {
            reason = $"the serving certificate expires {serving.NotAfter.ToUniversalTime():yyyy-MM-dd}";
            return IssueServing(current, dnsNames, now);
        }
        if (!SameNames(serving, dnsNames))
        {
            reason = "the serving certificate does not name " + string.Join(", ", dnsNames);
            return IssueServing(current, dnsNames, now);
        }
        if (!serving.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData) || !SignedBy(serving, ca, now))
        {
            reason = "the serving certificate was not issued by the current CA";
            return IssueServing(current, dnsNames, now);
        }
        reason = "";
        return null;
    }

    private static WebhookTlsMaterial Issue(WebhookTlsMaterial? previous, IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=isthmus-webhook-ca-{now.UtcDateTime:yyyyMMddHHmmss}", caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(CaValidity));
        var bundle = ca.ExportCertificatePem() + "\n";
        if (previous is not null)
        {
            // The previous CA stays trusted until it expires: replicas still serving its certificate keep working.
            foreach (var old in previous.CaCertificates())
            {
                if (old.NotAfter.ToUniversalTime() > now.UtcDateTime && old.Thumbprint != ca.Thumbprint)
                {
                    bundle += old.ExportCertificatePem() + "\n";
                }
                old.Dispose();
            }
        }
        var material = new WebhookTlsMaterial(bundle, caKey.ExportPkcs8PrivateKeyPem(), "", "");
        return IssueServing(material, dnsNames, now);
    }

    private static WebhookTlsMaterial IssueServing(WebhookTlsMaterial authority, IReadOnlyList<string> dnsNames, DateTimeOffset now)
    {
        var cas = authority.CaCertificates();
        try
        {
            using var caKey = ECDsa.Create();
            caKey.ImportFromPem(authority.CaKeyPem);
            using var caWithKey = cas[0].CopyWithPrivateKey(caKey);
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN={dnsNames[^2]}", key, HashAlgorithmName.SHA256);
            var san = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                san.AddDnsName(name);
            }
            request.CertificateExtensions.Add(san.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(caWithKey, true, false));
            var notAfter = now.Add(ServingValidity);
            if (notAfter > caWithKey.NotAfter)
            {
                notAfter = caWithKey.NotAfter;
            }
            var serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7f;
            using var serving = request.Create(caWithKey, now.AddMinutes(-5), notAfter, serial);
            return authority with
            {
                TlsCertPem = serving.ExportCertificatePem() + "\n",
                TlsKeyPem = key.ExportPkcs8PrivateKeyPem(),
            };
        }
        finally
        {
            foreach (var c in cas)
            {
                c.Dispose();
            }
        }
    }

    private static bool SameNames(X509Certificate2 certificate, IReadOnlyList<string> dnsNames)
    {
        var ext = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var names = ext?.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        return names.SetEquals(dnsNames);
    }

    private static bool SignedBy(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset now)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        return chain.Build(certificate);
    }

    private sealed class DisposableCollection(X509Certificate2Collection collection) : IDisposable
    {
        public X509Certificate2Collection Collection { get; } = collection;

        public void Dispose()
        {
            foreach (var c in Collection)
            {
                c.Dispose();
            }
        }
    }
}
