using System.Diagnostics.CodeAnalysis;
using Isthmus.Api.V1Alpha1;
using k8s.Models;

namespace Isthmus.Api.Manifests;

/// <summary>
/// The Isthmus resources read from a set of manifests: tunnels, traffic selectors and Secrets, each
/// with a namespace (files without one get <c>default</c>).
/// </summary>
public sealed class ManifestSet
{
    private readonly Dictionary<(string Namespace, string Name), V1Alpha1TrafficSelector> _selectors;
    private readonly Dictionary<(string Namespace, string Name), V1Secret> _secrets;

    public ManifestSet(IEnumerable<V1Alpha1IpsecTunnel> tunnels, IEnumerable<V1Alpha1TrafficSelector> trafficSelectors, IEnumerable<V1Secret> secrets)
    {
        Tunnels = tunnels.ToList();
        TrafficSelectors = trafficSelectors.ToList();
        Secrets = secrets.ToList();
        _selectors = new Dictionary<(string, string), V1Alpha1TrafficSelector>();
        foreach (var selector in TrafficSelectors)
        {
            _selectors[Key(selector.Metadata)] = selector;
        }
        _secrets = new Dictionary<(string, string), V1Secret>();
        foreach (var secret in Secrets)
        {
            _secrets[Key(secret.Metadata)] = secret;
        }
    }

    /// <summary>An empty set.</summary>
    public static ManifestSet Empty { get; } = new([], [], []);

    public IReadOnlyList<V1Alpha1IpsecTunnel> Tunnels { get; }

    public IReadOnlyList<V1Alpha1TrafficSelector> TrafficSelectors { get; }

    public IReadOnlyList<V1Secret> Secrets { get; }

    /// <summary>Finds a TrafficSelector by namespace and name.</summary>
    public bool TryGetTrafficSelector(string @namespace, string name, [NotNullWhen(true)] out V1Alpha1TrafficSelector? selector) =>
        _selectors.TryGetValue((@namespace, name), out selector);

    /// <summary>Finds a Secret by namespace and name.</summary>
    public bool TryGetSecret(string @namespace, string name, [NotNullWhen(true)] out V1Secret? secret) =>
        _secrets.TryGetValue((@namespace, name), out secret);

    private static (string, string) Key(V1ObjectMeta? metadata) => (metadata?.NamespaceProperty ?? ManifestLoader.DefaultNamespace, metadata?.Name ?? "");
}
