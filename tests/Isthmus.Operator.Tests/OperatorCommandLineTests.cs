namespace Isthmus.Operator.Tests;

public sealed class OperatorCommandLineTests
{
    [Fact]
    public void Flags_map_to_options()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--server", "http://127.0.0.1:6443", "--namespace", "isthmus", "--leader-elect", "false", "--workers", "8", "--resync", "30s",
             "--dataplane-port", "0000:3b:00.0", "--dataplane-port", "net_tap0", "--metrics-port", "0", "--log-format", "text", "--identity", "op-1"],
            out var options, out var error), error);

        Assert.Equal("http://127.0.0.1:6443", options.Server);
        Assert.Equal("isthmus", options.Namespace);
        Assert.False(options.LeaderElection);
        Assert.Equal(8, options.Workers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResyncPeriod);
        Assert.Equal(["0000:3b:00.0", "net_tap0"], options.DataplanePorts);
        Assert.Equal(0, options.MetricsPort);
        Assert.False(options.JsonLogs);
        Assert.Equal("op-1", options.Identity);
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--leader-elect", "yes")]
    [InlineData("--server", "not a url")]
    [InlineData("--resync", "10")]
    [InlineData("--bogus", "1")]
    [InlineData("--metrics-port", "70000")]
    public void Bad_flags_are_reported(string flag, string value)
    {
        Assert.False(OperatorCommandLine.TryParse([flag, value], out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_renew_deadline_not_below_the_lease_duration_is_rejected()
    {
        Assert.False(OperatorCommandLine.TryParse(["--lease-duration", "10s", "--renew-deadline", "10s"], out _, out var error));
        Assert.Contains("renew-deadline", error);
    }
}
