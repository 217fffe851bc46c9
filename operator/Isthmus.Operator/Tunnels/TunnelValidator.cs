using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using Isthmus.Operator.Store;
using Isthmus.Tunnels;
using k8s.Models;

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

    public static TunnelValidation Validate(V1Alpha1IpsecTunnel tunnel, IClusterStore store) => Validate(tunnel, store, CryptoPolicy.AllowAll);

    /// <summary>As <see cref="Validate(V1Alpha1IpsecTunnel, IClusterStore)"/>, refusing what the site's crypto <paramref name="policy"/> forbids.</summary>
    public static TunnelValidation Validate(V1Alpha1IpsecTunnel tunnel, IClusterStore store, CryptoPolicy policy)
    {
        var ns = tunnel.Metadata.NamespaceProperty ?? ManifestLoader.DefaultNamespace;

        var selectors = new List<V1Alpha1TrafficSelector>();
        foreach (var name in (tunnel.Spec.TrafficSelectors?.Refs ?? []).Distinct(StringComparer.Ordinal))
        {
            if (!string.IsNullOrWhiteSpace(name) && store.GetTrafficSelector(ns, name) is { } selector)
            {
                selectors.Add(selector);
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
                ApiVersion = V1Secret.KubeApiVersion,
                Kind = V1Secret.KubeKind,
                Metadata = new V1ObjectMeta { Name = secretName, NamespaceProperty = ns },
                Type = secret.Type,
                Data = new Dictionary<string, byte[]>(),
            };
            if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes) && bytes is not null)
            {
                psk.Data[key] = bytes;
            }
            else if (secret.StringData is not null && secret.StringData.TryGetValue(key, out var text) && text is not null)
            {
                psk.Data[key] = System.Text.Encoding.UTF8.GetBytes(text);
            }
            secrets.Add(psk);
        }

        var configs = TunnelConfigBuilder.Build(new ManifestSet([tunnel], selectors, secrets), policy, out var errors);
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
                Tunnel = tunnel,
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
            Tunnel = tunnel,
            TrafficSelectors = selectors,
            PskSecret = psk,
        };
    }
}
