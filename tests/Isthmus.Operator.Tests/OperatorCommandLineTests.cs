namespace Isthmus.Operator.Tests;

public sealed class OperatorCommandLineTests
{
    [Fact]
    public void Flags_map_to_options()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--server", "http://127.0.0.1:6443", "--namespace", "isthmus", "--leader-elect", "false", "--workers", "8", "--resync", "30s",
             "--dataplane-cipher-port", "0000:3b:00.0", "--dataplane-host-port", "net_tap0,iface=isthmus0", "--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01",
             "--metrics-port", "0", "--log-format", "text", "--identity", "op-1"],
            out var options, out var error), error);

        Assert.Equal("http://127.0.0.1:6443", options.Server);
        Assert.Equal("isthmus", options.Namespace);
        Assert.False(options.LeaderElection);
        Assert.Equal(8, options.Workers);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ResyncPeriod);
        Assert.Equal("0000:3b:00.0", options.DataplaneCipherPort);
        Assert.Equal("net_tap0,iface=isthmus0", options.DataplaneHostPort);
        Assert.Equal("02:00:5e:00:01:01", options.DataplaneCipherNextHopMac);
        Assert.Equal(0, options.MetricsPort);
        Assert.False(options.JsonLogs);
        Assert.Equal("op-1", options.Identity);
    }

    [Fact]
    public void Flags_may_carry_their_value_after_an_equals_sign()
    {
        Assert.True(OperatorCommandLine.TryParse(
            ["--namespace=isthmus", "--lease-duration=20s", "--dataplane=false", "--insecure-skip-tls-verify", "--health-port=8081", "--image-pull-secret=a", "--image-pull-secret", "b"],
            out var options, out var error), error);

        Assert.Equal("isthmus", options.Namespace);
        Assert.Equal(TimeSpan.FromSeconds(20), options.LeaseDuration);
        Assert.False(options.DataplaneEnabled);
        Assert.True(options.InsecureSkipTlsVerify);
        Assert.Equal(8081, options.HealthPort);
        Assert.Equal(["a", "b"], options.ImagePullSecrets);
    }

    [Fact]
    public void Running_the_dataplane_needs_the_cipher_next_hop_mac()
    {
        Assert.False(OperatorCommandLine.TryParse([], out _, out var error));
        Assert.Contains("--dataplane-cipher-next-hop-mac", error);
        Assert.True(OperatorCommandLine.TryParse(["--dataplane", "false"], out _, out error), error);
    }

    [Theory]
    [InlineData("--dataplane-cipher-next-hop-mac", "02:00:5e:00:01", "--dataplane-cipher-next-hop-mac")]
    [InlineData("--dataplane-lcores", "0,x", "--dataplane-lcores")]
    [InlineData("--dataplane-hugepage-size", "4Mi", "--dataplane-hugepage-size")]
    [InlineData("--dataplane-dpdk-memory", "lots", "--dataplane-dpdk-memory")]
    [InlineData("--dataplane-memory", "1Mi", "--dataplane-memory")]
    [InlineData("--dataplane-clear-port", "net_af_packet1,iface=eth0", "different devices")]
    [InlineData("--dataplane-crypto-device", "crypto aesni", "--dataplane-crypto-device")]
    public void Dataplane_settings_that_cannot_make_a_valid_command_are_rejected(string flag, string value, string expected)
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane-cipher-next-hop-mac", "02:00:5e:00:01:01", flag, value], out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void The_health_port_must_differ_from_the_metrics_port()
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", "--metrics-port=8080", "--health-port=8080"], out _, out var error));
        Assert.Contains("--health-port", error);
    }

    [Fact]
    public void The_token_never_appears_in_the_options_text()
    {
        Assert.True(OperatorCommandLine.TryParse(["--dataplane=false", "--server=https://10.0.0.1:6443", "--token=s3cr3t-bearer"], out var options, out var error), error);

        Assert.Equal("s3cr3t-bearer", options.Connection.Token);
        Assert.DoesNotContain("s3cr3t-bearer", options.ToString());
        Assert.DoesNotContain("s3cr3t-bearer", options.Connection.ToString());
    }

    [Theory]
    [InlineData("--workers", "0")]
    [InlineData("--leader-elect", "yes")]
    [InlineData("--server", "not a url")]
    [InlineData("--resync", "10")]
    [InlineData("--bogus", "1")]
    [InlineData("--metrics-port", "70000")]
    [InlineData("--metrics-host", "metrics.example")]
    [InlineData("--leader-elect=maybe", null)]
    [InlineData("--workers", null)]
    public void Bad_flags_are_reported(string flag, string? value)
    {
        Assert.False(OperatorCommandLine.TryParse(value is null ? ["--dataplane=false", flag] : ["--dataplane=false", flag, value], out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_renew_deadline_not_below_the_lease_duration_is_rejected()
    {
        Assert.False(OperatorCommandLine.TryParse(["--dataplane=false", "--lease-duration", "10s", "--renew-deadline", "10s"], out _, out var error));
        Assert.Contains("renew-deadline", error);
    }
}
