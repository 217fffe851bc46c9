using Isthmus.KubeClient;
using k8s;

namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// The flags of <c>isthmus-iked run</c> that send status and Events to Kubernetes: <c>--kube-status</c> turns it on;
/// the client comes from <c>--kubeconfig</c> (with <c>--context</c>), else <c>--server</c>, else the pod's service
/// account (in-cluster), else <c>$KUBECONFIG</c> / <c>~/.kube/config</c>; <c>--node-name</c> (default <c>$NODE_NAME</c>,
/// set from the downward API) names this node.
/// </summary>
public sealed class KubernetesStatusOptions
{
    public bool Enabled { get; set; }

    public string? Kubeconfig { get; set; }

    public string? Context { get; set; }

    public string? Server { get; set; }

    public string? NodeName { get; set; } = Environment.GetEnvironmentVariable("NODE_NAME");

    /// <summary>Consumes the flag at <paramref name="i"/> if it is one of these; false when it is not.</summary>
    public bool TryParse(string[] args, ref int i)
    {
        switch (args[i])
        {
            case "--kube-status": Enabled = true; return true;
            case "--kubeconfig": Kubeconfig = Value(args, ref i); return true;
            case "--context": Context = Value(args, ref i); return true;
            case "--server": Server = Value(args, ref i); return true;
            case "--node-name": NodeName = Value(args, ref i); return true;
            default: return false;
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a connection flag is given without <c>--kube-status</c>.</summary>
    public void Validate()
    {
        if (!Enabled && (Kubeconfig ?? Context ?? Server) is not null)
            throw new ArgumentException("--kubeconfig, --context and --server need --kube-status");
    }

    /// <summary>The client configuration these flags select (<see cref="KubernetesConnection"/>, as the operator's).</summary>
    public KubernetesClientConfiguration ClientConfiguration() =>
        new KubernetesConnection { Kubeconfig = Kubeconfig, Context = Context, Server = Server }.ToClientConfiguration();

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {args[i]} needs a value");
}
