using k8s.Exceptions;

namespace Isthmus.KubeClient.Tests;

public sealed class KubernetesConnectionTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("isthmus-kubeconfig-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Kubeconfig()
    {
        var path = Path.Combine(_directory.FullName, "config");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Config
            current-context: a
            clusters:
              - name: a
                cluster: {server: "https://a.example:6443"}
              - name: b
                cluster: {server: "https://b.example:6443"}
            users:
              - name: u
                user: {token: from-kubeconfig}
            contexts:
              - name: a
                context: {cluster: a, user: u}
              - name: b
                context: {cluster: b, user: u}
            """);
        return path;
    }

    [Fact]
    public void A_server_alone_needs_no_kubeconfig()
    {
        var config = new KubernetesConnection { Server = "https://127.0.0.1:6443", Token = "t0ken", InsecureSkipTlsVerify = true }.ToClientConfiguration();

        Assert.Equal(("https://127.0.0.1:6443", "t0ken", true), (config.Host, config.AccessToken, config.SkipTlsVerify));
    }

    [Fact]
    public void The_kubeconfig_context_selects_the_cluster_and_the_server_overrides_it()
    {
        var kubeconfig = Kubeconfig();

        Assert.Equal("https://a.example:6443", new KubernetesConnection { Kubeconfig = kubeconfig }.ToClientConfiguration().Host.TrimEnd('/'));
        Assert.Equal("https://b.example:6443", new KubernetesConnection { Kubeconfig = kubeconfig, Context = "b" }.ToClientConfiguration().Host.TrimEnd('/'));
        var overridden = new KubernetesConnection { Kubeconfig = kubeconfig, Context = "b", Server = "https://127.0.0.1:7443", Token = "flag" }.ToClientConfiguration();
        Assert.Equal(("https://127.0.0.1:7443", "flag"), (overridden.Host, overridden.AccessToken));
    }

    [Fact]
    public void An_unknown_context_or_a_missing_kubeconfig_is_a_kubeconfig_error()
    {
        Assert.Throws<KubeConfigException>(() => new KubernetesConnection { Kubeconfig = Kubeconfig(), Context = "nope" }.ToClientConfiguration());
        Assert.ThrowsAny<Exception>(() => new KubernetesConnection { Kubeconfig = Path.Combine(_directory.FullName, "missing") }.ToClientConfiguration());
    }

    [Fact]
    public void The_description_never_shows_the_token()
    {
        var text = new KubernetesConnection { Server = "https://127.0.0.1:6443", Token = "very-secret-token" }.ToString();

        Assert.DoesNotContain("very-secret-token", text);
        Assert.Contains("Token = (set)", text);
        Assert.Contains("https://127.0.0.1:6443", text);
    }
}
