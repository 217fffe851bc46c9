using k8s;

namespace Isthmus.Operator.Hosting;

/// <summary>
/// Builds the KubernetesClient from the options: <c>--kubeconfig</c> (with <c>--context</c>), else the
/// in-cluster service account, else <c>$KUBECONFIG</c> / <c>~/.kube/config</c>; <c>--server</c> overrides the
/// server (alone it needs no kubeconfig), <c>--token</c> adds a bearer token.
/// </summary>
public static class KubernetesClientFactory
{
    public static KubernetesClientConfiguration Configuration(OperatorOptions options)
    {
        KubernetesClientConfiguration config;
        if (options.Kubeconfig is not null)
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(options.Kubeconfig, options.Context);
        }
        else if (options.Server is not null)
        {
            config = new KubernetesClientConfiguration { Host = options.Server };
        }
        else if (KubernetesClientConfiguration.IsInCluster())
        {
            config = KubernetesClientConfiguration.InClusterConfig();
        }
        else
        {
            config = KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.Context);
        }
        if (options.Server is not null)
        {
            config.Host = options.Server;
        }
        if (options.Token is not null)
        {
            config.AccessToken = options.Token;
        }
        if (options.InsecureSkipTlsVerify)
        {
            config.SkipTlsVerify = true;
        }
        return config;
    }

    public static IKubernetes Create(OperatorOptions options) => new Kubernetes(Configuration(options));
}
