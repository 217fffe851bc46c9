using Isthmus.Dataplane.Cli;
using Isthmus.Dataplane.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Isthmus.Dataplane.E2ETests.Hosting;

/// <summary>The command line of <c>serve --backend dpdk</c>, parsed without starting DPDK.</summary>
public sealed class DpdkServeOptionsTests
{
    private static readonly string[] Eal = ["-l", "0,1", "--in-memory", "--vdev", "net_tap0,iface=isth0"];

    [Fact]
    public void Serve_line_yields_ports_macs_lcore_and_the_eal_arguments_after_the_separator()
    {
        var line = CommandLine.Parse([
            "serve", "--socket", "/tmp/x.sock", "--backend", "dpdk", "--clear-port", "net_tap0", "--cipher-port", "net_af_packet0",
            "--crypto-device", "crypto_aesni_gcm0", "--cipher-next-hop-mac", "02:00:00:00:00:0B", "--clear-next-hop-mac", "02-00-00-00-00-0a",
            "--lcore", "1", "--idle-sleep-us", "20", "--", .. Eal]);
        Assert.Null(line.Error);
        Assert.Equal(Eal, line.PassThrough);

        var settings = line.Names.Where(n => n is not ("socket" or "backend")).ToDictionary(n => n, n => line.Get(n)!);
        DpdkServeOptions? options = DpdkServeOptions.Parse(settings, line.PassThrough, out string error);

        Assert.True(options is not null, error);
        Assert.Equal("net_tap0", options.ClearPort);
        Assert.Equal("net_af_packet0", options.CipherPort);
        Assert.Null(options.HostPort);
        Assert.Equal("crypto_aesni_gcm0", options.CryptoDevice);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0x0b }, options.CipherNextHopMac);
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 0x0a }, options.ClearNextHopMac);
        Assert.Equal(1u, options.Lcore);
        Assert.Equal(20, options.IdleSleepMicroseconds);
        Assert.Equal(32, options.Burst);
        Assert.Equal(Eal, options.EalArguments);
    }

    [Theory]
    [InlineData("cipher-next-hop-mac", "02:00:00:00:00", "--cipher-next-hop-mac '02:00:00:00:00' is not an Ethernet address")]
    [InlineData("cipher-next-hop-mac", "zz:00:00:00:00:01", "--cipher-next-hop-mac 'zz:00:00:00:00:01' is not an Ethernet address")]
    [InlineData("clear-next-hop-mac", "02:00:00:00:00:001", "--clear-next-hop-mac '02:00:00:00:00:001' is not an Ethernet address")]
    [InlineData("lcore", "-1", "--lcore '-1' is not an lcore number")]
    [InlineData("burst", "0", "--burst '0' must be a number from 1 to 256")]
    [InlineData("burst", "512", "--burst '512' must be a number from 1 to 256")]
    [InlineData("idle-sleep-us", "x", "--idle-sleep-us 'x' must be a number")]
    [InlineData("host-port", "net_tap0", "must be different devices")]
    public void Unusable_values_are_refused_with_the_option_named(string name, string value, string expected)
    {
        Dictionary<string, string> settings = Valid();
        settings[name] = value;

        Assert.Null(DpdkServeOptions.Parse(settings, Eal, out string error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_ports_crypto_device_next_hop_or_eal_arguments_are_refused()
    {
        Assert.Null(DpdkServeOptions.Parse(new Dictionary<string, string> { ["clear-port"] = "net_tap0" }, Eal, out string error));
        Assert.Equal("the dpdk backend needs --cipher-port, --crypto-device, --cipher-next-hop-mac", error);

        Assert.Null(DpdkServeOptions.Parse(Valid(), [], out error));
        Assert.Contains("EAL arguments after '--'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Dpdk_backend_refuses_an_unknown_option_before_starting_anything()
    {
        var factory = DpdkDataplane.Register(BackendFactory.CreateDefault());
        Dictionary<string, string> settings = Valid();
        settings["clear-prot"] = "net_tap1";

        Assert.Null(factory.TryCreate("dpdk", new BackendOptions(settings, NullLoggerFactory.Instance) { PassThrough = Eal }, out string error));
        Assert.Contains("has no option --clear-prot", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Managed_backend_takes_no_option()
    {
        var factory = DpdkDataplane.Register(BackendFactory.CreateDefault());
        var settings = new Dictionary<string, string> { ["clear-port"] = "net_tap0" };

        Assert.Null(factory.TryCreate("managed", new BackendOptions(settings, NullLoggerFactory.Instance), out string error));
        Assert.Equal("the managed backend takes no option (got --clear-port)", error);
    }

    [Fact]
    public async Task Serve_reports_a_refused_dpdk_configuration_and_exits_with_a_usage_error()
    {
        var errors = new StringWriter();
        int code = await DataplaneCli.RunAsync(
            ["serve", "--socket", Path.Combine(Path.GetTempPath(), $"isthmus-{Guid.NewGuid():N}.sock"), "--backend", "dpdk", "--clear-port", "net_tap0"],
            DpdkDataplane.Register(BackendFactory.CreateDefault()), new StringWriter(), errors, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains("the dpdk backend needs --cipher-port", errors.ToString(), StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Valid() => new()
    {
        ["clear-port"] = "net_tap0",
        ["cipher-port"] = "net_af_packet0",
        ["crypto-device"] = "crypto_aesni_gcm0",
        ["cipher-next-hop-mac"] = "02:00:00:00:00:0b",
    };
}
