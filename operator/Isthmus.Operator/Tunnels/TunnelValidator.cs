using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.IkeDaemon.Config;
using Isthmus.Operator.Resources;
using Isthmus.Operator.Store;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Validates a tunnel with exactly the code the IKE daemon uses to load it (<see cref="TunnelConfigBuilder"/>:
/// proposal keywords, durations, identities, selectors, PSK), over the tunnel, the TrafficSelectors it names
/// and its PSK Secret. So a tunnel the operator accepts is a tunnel the daemon will run, and the weak
/// algorithm warnings are the daemon's.
/// </summary>
public static class TunnelValidator
{
    public const string ReasonAccepted = "Accepted";
    public const string ReasonInvalidSpec = "InvalidSpec";
    public const string ReasonSecretNotFound = "SecretNotFound";
    public const string ReasonTrafficSelectorNotFound = "TrafficSelectorNotFound";

    public static TunnelValidation Validate(IpsecTunnelResource tunnel, IClusterStore store) => Validate(tunnel, store, CryptoPolicy.AllowAll);

    /// <summary>As <see cref="Validate(IpsecTunnelResource, IClusterStore)"/>, refusing what the site's crypto <paramref name="policy"/> forbids.</summary>
    public static TunnelValidation Validate(IpsecTunnelResource tunnel, IClusterStore store, CryptoPolicy policy)
    {
        var ns = tunnel.Metadata.NamespaceProperty ?? ManifestLoader.DefaultNamespace;
        var api = tunnel.ToApi();
        api.Metadata.Namespace = ns;

        var selectors = new List<V1Alpha1TrafficSelector>();
        foreach (var name in (tunnel.Spec.TrafficSelectors?.Refs ?? []).Distinct(StringComparer.Ordinal))
        {
            if (!string.IsNullOrWhiteSpace(name) && store.GetTrafficSelector(ns, name) is { } selector)
            {
                var s = selector.ToApi();
                s.Metadata.Namespace = ns;
                selectors.Add(s);
            }
        }

        var secrets = new List<V1Secret>();
        V1Secret? psk = null;
        var secretRef = tunnel.Spec.Authentication?.Psk?.SecretRef;
        if (secretRef is { Name: { Length: > 0 } secretName } && store.GetSecret(ns, secretName) is { } secret)
        {
            var key = string.IsNullOrEmpty(secretRef.Key) ? "psk" : secretRef.Key;
            psk = new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = secretName, Namespace = ns },
                Type = secret.Type,
                Data = new Dictionary<string, string>(),
            };
            if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes) && bytes is not null)
            {
                psk.Data[key] = Convert.ToBase64String(bytes);
            }
            else if (secret.StringData is not null && secret.StringData.TryGetValue(key, out var text) && text is not null)
            {
                psk.Data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text));
            }
            secrets.Add(psk);
        }

        var configs = TunnelConfigBuilder.Build(new ManifestSet([api], selectors, secrets), policy, out var errors);
        if (errors.Count > 0 || configs.Count != 1)
        {
            var prefix = $"IpsecTunnel {ns}/{tunnel.Metadata.Name}: ";
            var stripped = errors.Select(e => e.StartsWith(prefix, StringComparison.Ordinal) ? e[prefix.Length..] : e).ToList();
            if (stripped.Count == 0)
            {
                stripped.Add("the tunnel could not be built");
            }
            var reason = ReasonInvalidSpec;
            if (stripped.All(e => e.Contains(" not found", StringComparison.Ordinal)))
            {
                reason = stripped.Any(e => e.StartsWith("spec.authentication", StringComparison.Ordinal)) ? ReasonSecretNotFound : ReasonTrafficSelectorNotFound;
            }
            return new TunnelValidation
            {
                Accepted = false,
                Reason = reason,
                Message = string.Join("; ", stripped),
                Errors = stripped,
                Tunnel = api,
            };
        }
        var config = configs[0];
        return new TunnelValidation
        {
            Accepted = true,
            Reason = ReasonAccepted,
            Message = "spec is valid and its references are resolved",
            WeakCryptography = config.Warnings,
            Config = config,
            Tunnel = api,
            TrafficSelectors = selectors,
            PskSecret = psk,
        };
    }
}
