using Isthmus.Dataplane.Cli;
using Isthmus.Dataplane.Hosting;
using Isthmus.Dataplane.Protos;
using static Isthmus.Esp.Tests.TestPackets;

namespace Isthmus.Esp.Tests.Dataplane;

/// <summary>The control API end to end: a server on a temporary Unix socket, the client the IKE daemon uses, and the CLI.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private static readonly EspPolicySelector LanToLan = EspPolicySelector.Between(IpAddressRange.FromCidr("10.1.0.0/16"), IpAddressRange.FromCidr("10.2.0.0/16"));
    private readonly string directory = Directory.CreateTempSubdirectory("isthmus-dp-").FullName;
    private readonly ManagedEspBackend backend = new();
    private DataplaneServer? server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Socket => Path.Combine(directory, "dataplane.sock");

    public async ValueTask InitializeAsync() =>
        server = await DataplaneServer.StartAsync(Socket, backend, logging: _ => { }, cancellationToken: Ct);

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        await backend.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Socket_is_owner_only()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes only");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Socket));
    }

    [Fact]
    public async Task Sa_and_policy_installed_through_the_client_carry_traffic_and_the_soft_expire_reaches_the_watcher()
    {
        using var client = new DataplaneClient(Socket);
        var sa = Sa(EspDirection.Outbound, EspEncryptionAlgorithm.AesCbc256, EspIntegrityAlgorithm.HmacSha2_256_128,
            udp: UdpEncapsulation.Default, lifetime: new EspLifetime(0, 0, 3, 10),
            local: [EspTrafficSelector.For(IpAddressRange.FromCidr("10.1.0.0/16"))],
            remote: [new EspTrafficSelector(IpAddressRange.FromCidr("10.2.0.0/16"), 17, new PortRange(1, 1024))]);
        Assert.True((await client.AddSaAsync(sa, Ct)).IsOk);
        Assert.True((await client.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 5), Ct)).IsOk);

        var listed = Assert.Single(await client.ListSasAsync(Ct));
        Assert.Equal(0x1000u, listed.Spi);
        Assert.Equal(EspEncryptionAlgorithm.AesCbc256, listed.Encryption);
        Assert.Equal(EspIntegrityAlgorithm.HmacSha2_256_128, listed.Integrity);
        Assert.Equal(UdpEncapsulation.Default, listed.Encapsulation);
        Assert.Equal(new EspLifetime(0, 0, 3, 10), listed.Lifetime);
        Assert.Equal("10.2.0.0/16[17/1-1024]", Assert.Single(listed.RemoteSelectors).ToString());
        var policy = Assert.Single(await client.ListPoliciesAsync(Ct));
        Assert.Equal(LanToLan, policy.Selector);

        using var watch = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        watch.CancelAfter(TimeSpan.FromSeconds(20));
        var events = client.WatchEventsAsync(watch.Token).GetAsyncEnumerator(watch.Token);
        var first = events.MoveNextAsync();
        await WaitForWatcherAsync();

        var output = new byte[2000];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(PacketAction.Forward, backend.ProcessOutbound(Udp4(), output, out _).Action);
        }

        Assert.True(await first);
        var soft = Assert.IsType<SoftExpireEvent>(events.Current);
        Assert.Equal((0x1000u, EspDirection.Outbound, LifetimeKind.Packets), (soft.Spi, soft.Direction, soft.Kind));
        await watch.CancelAsync();
        await events.DisposeAsync();

        var counters = Assert.Single((await client.GetCountersAsync(Ct)).Sas);
        Assert.Equal(3UL, counters.Packets);
        Assert.Equal(3UL * (ulong)Udp4().Length, counters.Bytes);
        Assert.Equal(3UL, Assert.Single(await client.ListSasAsync(Ct)).SequenceNumber);
    }

    [Fact]
    [Trait("RFC", "4301 8")]
    public async Task Path_mtu_options_and_their_counters_cross_the_control_api()
    {
        using var client = new DataplaneClient(Socket);
        Assert.True((await client.AddSaAsync(Sa(EspDirection.Outbound, mtu: 600, pathMtu: PathMtuPolicy.Fragment, clampMss: false), Ct)).IsOk);
        await client.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 5), Ct);

        var listed = Assert.Single(await client.ListSasAsync(Ct));
        Assert.Equal((600, PathMtuPolicy.Fragment, false), (listed.Mtu, listed.PathMtu, listed.ClampTcpMss));

        Assert.Equal(3, backend.ProcessOutbound(Udp4(payload: 1400), new byte[4000], out _).Fragments);
        var counters = await client.GetCountersAsync(Ct);
        Assert.Equal(3UL, Assert.Single(counters.Sas).Fragments);
        Assert.Matches(@"0x00001000\s+out\s+1\s+\d+\s+3\s+0\s+", await RunCliAsync("counters"));
    }

    [Fact]
    public async Task Refusals_come_back_as_typed_results()
    {
        using var client = new DataplaneClient(Socket);
        var sa = Sa(EspDirection.Inbound);
        Assert.True((await client.AddSaAsync(sa, Ct)).IsOk);
        Assert.Equal(ControlError.AlreadyExists, (await client.AddSaAsync(sa, Ct)).Error);
        Assert.Equal(ControlError.NotFound, (await client.DeleteSaAsync(0x4242, EspDirection.Inbound, Ct)).Error);
        Assert.Equal(ControlError.NotFound, (await client.DeletePolicyAsync(99, Ct)).Error);

        var weak = new EspSa
        {
            Spi = 0x3000, Direction = EspDirection.Outbound, TunnelSource = sa.TunnelSource, TunnelDestination = sa.TunnelDestination,
            Encryption = EspEncryptionAlgorithm.AesCbc128, EncryptionKey = Key(16, 0x11),
        };
        var refused = await client.AddSaAsync(weak, Ct);
        Assert.Equal(ControlError.Invalid, refused.Error);
        Assert.Contains("integrity", refused.Detail, StringComparison.Ordinal);
        Assert.True((await client.DeleteSaAsync(0x1000, EspDirection.Inbound, Ct)).IsOk);
        Assert.Empty(await client.ListSasAsync(Ct));
    }

    [Fact]
    public async Task Cli_prints_sas_policies_and_counters_of_the_running_dataplane()
    {
        using var client = new DataplaneClient(Socket);
        await client.AddSaAsync(Sa(EspDirection.Outbound, esn: true), Ct);
        await client.AddPolicyAsync(new EspPolicy(4, PolicyDirection.Out, LanToLan, PolicyAction.Protect, 0x1000, 5), Ct);
        backend.ProcessOutbound(Udp4(), new byte[2000], out _);
        backend.ProcessOutbound(Udp4("10.8.0.1", "10.9.0.1"), new byte[2000], out _);

        string sas = await RunCliAsync("sas");
        Assert.Contains("src 192.0.2.1 dst 198.51.100.2", sas, StringComparison.Ordinal);
        Assert.Contains("proto esp spi 0x00001000 dir out mode tunnel replay-window 64 flag esn", sas, StringComparison.Ordinal);
        Assert.Contains("enc AesGcm16_128", sas, StringComparison.Ordinal);
        Assert.DoesNotContain("4041424344", sas, StringComparison.OrdinalIgnoreCase);

        string policies = await RunCliAsync("policies");
        Assert.Contains("10.1.0.0/16", policies, StringComparison.Ordinal);
        Assert.Contains("protect spi 0x00001000", policies, StringComparison.Ordinal);

        string counters = await RunCliAsync("counters");
        Assert.Matches(@"0x00001000\s+out\s+1\s+", counters);
        Assert.Contains("NoPolicy", counters, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_reports_an_unreachable_dataplane_and_an_unknown_backend()
    {
        var error = new StringWriter();
        int code = await DataplaneCli.RunAsync(["sas", "--socket", Path.Combine(directory, "missing.sock")], BackendFactory.CreateDefault(), new StringWriter(), error, Ct);
        Assert.Equal(1, code);
        Assert.Contains("cannot reach the dataplane", error.ToString(), StringComparison.Ordinal);

        error = new StringWriter();
        code = await DataplaneCli.RunAsync(["serve", "--socket", Path.Combine(directory, "x.sock"), "--backend", "dpdk"], BackendFactory.CreateDefault(), new StringWriter(), error, Ct);
        Assert.Equal(2, code);
        Assert.Contains("unknown backend 'dpdk'", error.ToString(), StringComparison.Ordinal);
    }

    private async Task<string> RunCliAsync(string verb)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await DataplaneCli.RunAsync([verb, "--socket", Socket], BackendFactory.CreateDefault(), output, error, Ct);
        Assert.True(code == 0, error.ToString());
        return output.ToString();
    }

    private async Task WaitForWatcherAsync()
    {
        for (int i = 0; i < 200 && backend.Events.ReaderCount == 0; i++)
        {
            await Task.Delay(25, Ct);
        }

        Assert.Equal(1, backend.Events.ReaderCount);
    }
}
