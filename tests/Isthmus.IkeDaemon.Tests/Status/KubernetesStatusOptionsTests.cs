using Isthmus.IkeDaemon.Status;

namespace Isthmus.IkeDaemon.Tests.Status;

public sealed class KubernetesStatusOptionsTests
{
    private static KubernetesStatusOptions Parse(params string[] args)
    {
        var options = new KubernetesStatusOptions { NodeName = null };
        for (var i = 0; i < args.Length; i++) Assert.True(options.TryParse(args, ref i), args[i]);
        return options;
    }

    [Fact]
    public void Kube_status_flags_are_parsed()
    {
        var options = Parse("--kube-status", "--server", "http://127.0.0.1:6443", "--node-name", "gw-1");
        Assert.True(options.Enabled);
        Assert.Equal("gw-1", options.NodeName);
        Assert.Equal("http://127.0.0.1:6443", options.ClientConfiguration().Host);
        options.Validate();
    }

    [Fact]
    public void Connection_flags_without_kube_status_are_rejected()
    {
        var options = Parse("--server", "http://127.0.0.1:6443");
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Fact]
    public void Flag_without_its_value_is_rejected_and_other_flags_are_left_to_the_caller()
    {
        var options = new KubernetesStatusOptions();
        var i = 0;
        Assert.Throws<ArgumentException>(() => options.TryParse(["--node-name"], ref i));
        i = 0;
        Assert.False(options.TryParse(["--listen", "0.0.0.0"], ref i));
        Assert.Equal(0, i);
    }

    [Theory]
    [InlineData("prod/hq", "prod", "hq")]
    [InlineData("hq", "default", "hq")]
    public void Tunnel_name_is_split_into_namespace_and_name(string full, string ns, string name)
    {
        Assert.Equal(new TunnelKey(ns, name), TunnelKey.Parse(full));
    }
}
