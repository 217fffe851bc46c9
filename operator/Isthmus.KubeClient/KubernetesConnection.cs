using k8s;

namespace Isthmus.KubeClient;

/// <summary>
/// How a process reaches the API server, shared by the operator and the IKE daemon's status writer:
/// <see cref="Kubeconfig"/> (with <see cref="Context"/>), else <see cref="Server"/> alone, else the pod's service
/// account (in-cluster), else <c>$KUBECONFIG</c> or <c>~/.kube/config</c>. <see cref="Server"/> also overrides the
/// kubeconfig's server, <see cref="Token"/> adds a bearer token. <see cref="ToString"/> never shows the token.
/// </summary>
public sealed record KubernetesConnection
{
    /// <summary>Path of a kubeconfig file (<c>--kubeconfig</c>).</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>Context within the kubeconfig (<c>--context</c>).</summary>
    public string? Context { get; init; }

    /// <summary>API server URL (<c>--server</c>); overrides the kubeconfig's server, and alone needs no kubeconfig.</summary>
    public string? Server { get; init; }

    /// <summary>Bearer token (<c>--token</c>).</summary>
    public string? Token { get; init; }

    /// <summary>Skip verification of the API server's certificate (<c>--insecure-skip-tls-verify</c>); for test doubles only.</summary>
    public bool InsecureSkipTlsVerify { get; init; }

    /// <summary>
    /// The client configuration these settings select. Throws <see cref="k8s.Exceptions.KubeConfigException"/> when
    /// the kubeconfig cannot be read or names an unknown context.
    /// </summary>
    public KubernetesClientConfiguration ToClientConfiguration()
    {
        KubernetesClientConfiguration config;
        if (Kubeconfig is not null)
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(Kubeconfig, Context);
        }
        else if (Server is not null)
        {
            config = new KubernetesClientConfiguration { Host = Server };
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: Context);
        }
        if (Server is not null)
        {
            config.Host = Server;
        }
        if (Token is not null)
        {
            config.AccessToken = Token;
        }
        if (InsecureSkipTlsVerify)
        {
            config.SkipTlsVerify = true;
        }
        return config;
    }

    /// <summary>A client for these settings.</summary>
    public IKubernetes CreateClient() => new Kubernetes(ToClientConfiguration());

    public override string ToString() =>
        $"KubernetesConnection {{ Kubeconfig = {Kubeconfig}, Context = {Context}, Server = {Server}, Token = {(Token is null ? "" : "(set)")}, InsecureSkipTlsVerify = {InsecureSkipTlsVerify} }}";
}
