using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Isthmus.Api.Manifests;
using Isthmus.Api.V1Alpha1;
using Isthmus.Operator.Runtime.Cache;
using Isthmus.Operator.Store;
using k8s.Models;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// Renders the configuration of one gateway node: for every accepted tunnel placed there, the tunnel
/// (name, namespace, spec), the TrafficSelectors it names and its PSK Secret reduced to the referenced key,
/// as the YAML manifests <c>isthmus-iked run --config</c> loads (<see cref="ManifestLoader"/>), written by <see cref="YamlWriter"/>.
/// The output is deterministic (documents sorted by kind, namespace and name), so its hash changes only when
/// the node's effective configuration does. Status and server-set metadata are left out.
/// </summary>
public static class NodeConfigRenderer
{
    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static NodeConfig Render(string nodeName, string? nodeUid, IEnumerable<TunnelValidation> tunnels)
    {
        var accepted = tunnels
            .Where(t => t.Accepted && t.Tunnel is not null)
            .OrderBy(t => t.Tunnel!.Metadata.NamespaceProperty, StringComparer.Ordinal)
            .ThenBy(t => t.Tunnel!.Metadata.Name, StringComparer.Ordinal)
            .ToList();

        var secrets = new SortedDictionary<(string, string), V1Secret>();
        var selectors = new SortedDictionary<(string, string), V1Alpha1TrafficSelector>();
        foreach (var t in accepted)
        {
            if (t.PskSecret is { } secret)
            {
                var key = (secret.Metadata.NamespaceProperty ?? "", secret.Metadata.Name ?? "");
                if (secrets.TryGetValue(key, out var existing))
                {
                    foreach (var (k, v) in secret.Data ?? new Dictionary<string, byte[]>())
                    {
                        existing.Data![k] = v;
                    }
                }
                else
                {
                    secrets[key] = new V1Secret
                    {
                        Metadata = new V1ObjectMeta { Name = secret.Metadata.Name, NamespaceProperty = secret.Metadata.NamespaceProperty },
                        Type = secret.Type,
                        Data = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>()),
                    };
                }
            }
            foreach (var selector in t.TrafficSelectors)
            {
                selectors[(selector.Metadata.NamespaceProperty ?? "", selector.Metadata.Name ?? "")] = selector;
            }
        }

        var yaml = new StringBuilder();
        yaml.Append("# Isthmus IKE daemon configuration for node ").Append(nodeName).Append(", rendered by isthmus-operator. Do not edit.\n");
        foreach (var secret in secrets.Values)
        {
            var doc = new JsonObject
            {
                ["apiVersion"] = V1Secret.KubeApiVersion,
                ["kind"] = V1Secret.KubeKind,
                ["metadata"] = Meta(secret.Metadata),
            };
            if (secret.Type is not null)
            {
                doc["type"] = secret.Type;
            }
            var data = new JsonObject();
            foreach (var (k, v) in secret.Data!.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                data[k] = Convert.ToBase64String(v);
            }
            doc["data"] = data;
            YamlWriter.WriteDocument(yaml, doc);
        }
        foreach (var selector in selectors.Values)
        {
            YamlWriter.WriteDocument(yaml, new JsonObject
            {
                ["apiVersion"] = V1Alpha1IpsecTunnel.GroupVersion,
                ["kind"] = V1Alpha1TrafficSelector.KindName,
                ["metadata"] = Meta(selector.Metadata),
                ["spec"] = JsonSerializer.SerializeToNode(selector.Spec, Json),
            });
        }
        foreach (var t in accepted)
        {
            YamlWriter.WriteDocument(yaml, new JsonObject
            {
                ["apiVersion"] = V1Alpha1IpsecTunnel.GroupVersion,
                ["kind"] = V1Alpha1IpsecTunnel.KindName,
                ["metadata"] = Meta(t.Tunnel!.Metadata),
                ["spec"] = JsonSerializer.SerializeToNode(t.Tunnel.Spec, Json),
            });
        }

        var bytes = Encoding.UTF8.GetBytes(yaml.ToString());
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var keys = accepted.Select(t => new ObjectKey(t.Tunnel!.Metadata.NamespaceProperty ?? "", t.Tunnel.Metadata.Name ?? "")).ToList();
        return new NodeConfig(nodeName, nodeUid, bytes, hash, keys);
    }

    private static JsonObject Meta(V1ObjectMeta metadata) => new()
    {
        ["name"] = metadata.Name,
        ["namespace"] = metadata.NamespaceProperty,
    };
}
