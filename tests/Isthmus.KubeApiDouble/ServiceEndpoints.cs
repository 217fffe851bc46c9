using System.Net;

namespace Isthmus.KubeApiDouble;

/// <summary>
/// The pods behind each Service port, as kube-proxy routes them: the double has no cluster network, so a test
/// registers where a Service's port is served (a webhook replica on loopback, say). A connection goes to the first
/// endpoint that accepts it, as traffic goes to a Ready pod.
/// </summary>
public sealed class ServiceEndpoints
{
    private readonly Dictionary<string, List<IPEndPoint>> _endpoints = new(StringComparer.Ordinal);

    private static string Key(string @namespace, string name, int port) => $"{@namespace}/{name}:{port}";

    /// <summary>Adds <paramref name="endpoint"/> behind port <paramref name="port"/> of Service <paramref name="namespace"/>/<paramref name="name"/>.</summary>
    public void Add(string @namespace, string name, int port, IPEndPoint endpoint)
    {
        lock (_endpoints)
        {
            if (!_endpoints.TryGetValue(Key(@namespace, name, port), out var list))
            {
                _endpoints[Key(@namespace, name, port)] = list = [];
            }
            list.Add(endpoint);
        }
    }

    /// <summary>Removes <paramref name="endpoint"/> from the Service port.</summary>
    public void Remove(string @namespace, string name, int port, IPEndPoint endpoint)
    {
        lock (_endpoints)
        {
            if (_endpoints.TryGetValue(Key(@namespace, name, port), out var list))
            {
                list.Remove(endpoint);
            }
        }
    }

    /// <summary>The endpoints of the Service port, in the order they were added.</summary>
    public IReadOnlyList<IPEndPoint> Resolve(string @namespace, string name, int port)
    {
        lock (_endpoints)
        {
            return _endpoints.TryGetValue(Key(@namespace, name, port), out var list) ? [.. list] : [];
        }
    }
}
