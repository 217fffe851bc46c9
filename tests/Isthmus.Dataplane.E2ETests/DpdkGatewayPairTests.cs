using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Dataplane.E2ETests.Infrastructure;
using Isthmus.Esp;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests;

/// <summary>
/// Two Isthmus DPDK dataplanes (isthmus-dataplane serve --backend dpdk) tunnel two LANs over a WAN link,
/// with SAs and policies installed through the control API, the way the IKE daemon installs them:
/// <code>
///   lanA ── gwA [tap │ engine │ af_packet] ══ ESP (or UDP 4500 { ESP }) ══ [af_packet │ engine │ tap] gwB ── lanB
///   gwA: out SA 0x1000 (lanA → lanB), in SA 0x2000;   gwB: in SA 0x1000, out SA 0x2000
/// </code>
/// ping and iperf3 cross the tunnel; both dataplanes' counters show the traffic on the SAs each way and no
/// drops; a capture on each WAN end shows only ESP (or only ESP-in-UDP on port 4500), never the clear packets.
/// </summary>
[Collection(DpdkLabCollection.Name)]
public sealed class DpdkGatewayPairTests(ITestOutputHelper output)
{
    private const uint SpiAToB = 0x1000;
    private const uint SpiBToA = 0x2000;

    public enum Cipher
    {
        /// <summary>AES-128-GCM with a 16-octet ICV (RFC 4106), on crypto_aesni_gcm.</summary>
        AesGcm128,

        /// <summary>AES-128-CBC with HMAC-SHA2-256-128 (RFC 3602, RFC 4868), on crypto_aesni_mb.</summary>
        AesCbc128HmacSha256,
    }

    [Theory]
    [Trait("RFC", "4303 3.1.2")]
    [Trait("RFC", "3948 2.1")]
    [InlineData(false, Cipher.AesGcm128)]
    [InlineData(true, Cipher.AesGcm128)]
    [InlineData(false, Cipher.AesCbc128HmacSha256)]
    [InlineData(true, Cipher.AesCbc128HmacSha256)]
    public async Task Lan_hosts_pass_ping_and_iperf3_through_two_dpdk_dataplanes(bool udpEncapsulation, Cipher cipher)
    {
        DataplaneLab.SkipIfCannotRun();
        CancellationToken ct = TestContext.Current.CancellationToken;
        string label = $"{(udpEncapsulation ? "ESP-in-UDP 4500" : "plain ESP")}, {cipher}";
        string device = cipher == Cipher.AesGcm128 ? "crypto_aesni_gcm" : "crypto_aesni_mb";

        await using DataplaneLab lab = await DataplaneLab.CreateAsync(nameof(DpdkGatewayPairTests), ct);
        byte[] wanMacA = await lab.MacOfAsync(lab.GatewayNamespaceA, lab.WanLinkA);
        byte[] wanMacB = await lab.MacOfAsync(lab.GatewayNamespaceB, lab.WanLinkB);
        using DataplaneGateway gwA = await lab.StartGatewayAsync(lab.GatewayNamespaceA, lab.TapA, lab.WanLinkA, wanMacB, device, lab.LanSubnetB, ct);
        using DataplaneGateway gwB = await lab.StartGatewayAsync(lab.GatewayNamespaceB, lab.TapB, lab.WanLinkB, wanMacA, device, lab.LanSubnetA, ct);

        // One key set per direction, as IKE derives them (RFC 7296 §2.17); each SA is installed on both ends.
        (byte[] encryption, byte[] integrity) keysAToB = NewKeys(cipher);
        (byte[] encryption, byte[] integrity) keysBToA = NewKeys(cipher);
        var lanA = IpAddressRange.FromCidr(lab.LanSubnetA);
        var lanB = IpAddressRange.FromCidr(lab.LanSubnetB);
        EspSa Sa(uint spi, EspDirection direction, IPAddress source, IPAddress destination, (byte[] Encryption, byte[] Integrity) keys, IpAddressRange local, IpAddressRange remote) => new()
        {
            Spi = spi,
            Direction = direction,
            TunnelSource = source,
            TunnelDestination = destination,
            Encapsulation = udpEncapsulation ? UdpEncapsulation.Default : null,
            Encryption = cipher == Cipher.AesGcm128 ? EspEncryptionAlgorithm.AesGcm16_128 : EspEncryptionAlgorithm.AesCbc128,
            EncryptionKey = keys.Encryption,
            Integrity = cipher == Cipher.AesGcm128 ? EspIntegrityAlgorithm.None : EspIntegrityAlgorithm.HmacSha2_256_128,
            IntegrityKey = keys.Integrity,
            ReplayWindow = 1024,
            LocalSelectors = [EspTrafficSelector.For(local)],
            RemoteSelectors = [EspTrafficSelector.For(remote)],
        };

        await gwA.AddSaAsync(Sa(SpiAToB, EspDirection.Outbound, lab.WanA, lab.WanB, keysAToB, lanA, lanB), ct);
        await gwA.AddSaAsync(Sa(SpiBToA, EspDirection.Inbound, lab.WanB, lab.WanA, keysBToA, lanA, lanB), ct);
        await gwB.AddSaAsync(Sa(SpiAToB, EspDirection.Inbound, lab.WanA, lab.WanB, keysAToB, lanB, lanA), ct);
        await gwB.AddSaAsync(Sa(SpiBToA, EspDirection.Outbound, lab.WanB, lab.WanA, keysBToA, lanB, lanA), ct);
        await gwA.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, EspPolicySelector.Between(lanA, lanB), PolicyAction.Protect, SpiAToB, 10), ct);
        await gwA.AddPolicyAsync(new EspPolicy(2, PolicyDirection.In, EspPolicySelector.Between(lanB, lanA), PolicyAction.Protect, SpiBToA, 10), ct);
        await gwB.AddPolicyAsync(new EspPolicy(1, PolicyDirection.Out, EspPolicySelector.Between(lanB, lanA), PolicyAction.Protect, SpiBToA, 10), ct);
        await gwB.AddPolicyAsync(new EspPolicy(2, PolicyDirection.In, EspPolicySelector.Between(lanA, lanB), PolicyAction.Protect, SpiAToB, 10), ct);

        // Capture what each WAN end receives (headers only), from before the first packet to after the last.
        string captureA = Path.Combine(lab.Lab.WorkDirectory, "wan-a.pcap");
        string captureB = Path.Combine(lab.Lab.WorkDirectory, "wan-b.pcap");
        LabProcess tcpdumpA = await LabTraffic.StartCaptureAsync(lab, lab.GatewayNamespaceA, lab.WanLinkA, captureA, ct);
        LabProcess tcpdumpB = await LabTraffic.StartCaptureAsync(lab, lab.GatewayNamespaceB, lab.WanLinkB, captureB, ct);

        ProcessResult ping = await lab.Lab.ExecAsync(lab.LanNamespaceA, TimeSpan.FromSeconds(30), "ping", "-c", "5", "-i", "0.2", "-W", "2", lab.LanHostB.ToString());
        output.WriteLine($"ping {lab.LanHostA} -> {lab.LanHostB} ({label}):\n{ping.StandardOutput}");
        Assert.True(ping.Succeeded, ping.Describe() + Diagnostics(gwA, gwB));
        Assert.Contains(" 0% packet loss", ping.StandardOutput, StringComparison.Ordinal);

        LabProcess iperfServer = lab.Lab.StartProcess(lab.LanNamespaceB, "iperf3", "-s", "-1", "--forceflush", "-B", lab.LanHostB.ToString());
        await LabTraffic.WaitForOutputAsync(iperfServer, "Server listening", TimeSpan.FromSeconds(10), ct);
        ProcessResult iperf = await lab.Lab.ExecAsync(lab.LanNamespaceA, TimeSpan.FromSeconds(40), "iperf3", "-c", lab.LanHostB.ToString(), "-t", "3", "-J");
        Assert.True(iperf.Succeeded, iperf.Describe() + Diagnostics(gwA, gwB));
        (double sent, double received, long retransmits, long bytes) = LabTraffic.ParseIperf(iperf.StandardOutput);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"iperf3 {lab.LanHostA} -> {lab.LanHostB} ({label}), 3 s TCP: sender {sent / 1e6:F1} Mbit/s, receiver {received / 1e6:F1} Mbit/s, {retransmits} retransmits"));
        Assert.True(bytes > 0, "iperf3 moved no data");

        await tcpdumpA.StopAsync();
        await tcpdumpB.StopAsync();

        // Counters through the API: traffic on all four SAs, nothing dropped anywhere.
        foreach ((string name, DataplaneGateway gateway, uint outSpi, uint inSpi) in new[] { ("gwA", gwA, SpiAToB, SpiBToA), ("gwB", gwB, SpiBToA, SpiAToB) })
        {
            CounterSnapshot counters = await gateway.Client.GetCountersAsync(ct);
            output.WriteLine($"{name} counters: {string.Join("; ", counters.Sas.Select(s => $"spi 0x{s.Spi:x8} {s.Direction}: {s.Packets} packets, {s.Bytes} bytes, drops [{s.Drops}]"))}; global drops [{counters.GlobalDrops}]; host {counters.HostPackets}; bypass {counters.BypassPackets}");
            SaCounters outbound = Assert.Single(counters.Sas, s => s.Spi == outSpi && s.Direction == EspDirection.Outbound);
            SaCounters inbound = Assert.Single(counters.Sas, s => s.Spi == inSpi && s.Direction == EspDirection.Inbound);
            Assert.True(outbound.Packets >= 5, $"{name}: outbound SA carried {outbound.Packets} packets");
            Assert.True(inbound.Packets >= 5, $"{name}: inbound SA carried {inbound.Packets} packets");
            Assert.True(outbound.Drops.Total == 0, $"{name}: outbound SA drops: {outbound.Drops}");
            Assert.True(inbound.Drops.Total == 0, $"{name}: inbound SA drops: {inbound.Drops}");
            Assert.True(counters.GlobalDrops.Total == 0, $"{name}: drops outside the SAs: {counters.GlobalDrops}");
            Assert.Equal(0ul, counters.BypassPackets);
        }

        // The same through the CLI, for the test log.
        foreach ((string name, DataplaneGateway gateway) in new[] { ("gwA", gwA), ("gwB", gwB) })
        {
            foreach (string verb in new[] { "sas", "counters" })
            {
                ProcessResult cli = await lab.Lab.ExecAsync(gateway.Namespace, DataplaneLab.DotnetHost, DataplaneLab.DataplaneExecutable, verb, "--socket", gateway.SocketPath);
                Assert.True(cli.Succeeded, cli.Describe());
                output.WriteLine($"{name}$ isthmus-dataplane {verb}\n{cli.StandardOutput}");
            }
        }

        Assert.Contains($"0x{SpiAToB:x8}", (await lab.Lab.ExecAsync(gwA.Namespace, DataplaneLab.DotnetHost, DataplaneLab.DataplaneExecutable, "counters", "--socket", gwA.SocketPath)).StandardOutput, StringComparison.Ordinal);

        // The WAN carried only ESP (RFC 4303: IP protocol 50) or only ESP in UDP 4500 (RFC 3948), never the LAN packets.
        string expected = udpEncapsulation ? "udp port 4500" : "ip proto 50";
        foreach ((string name, string ns, string capture) in new[] { ("gwA", lab.GatewayNamespaceA, captureA), ("gwB", lab.GatewayNamespaceB, captureB) })
        {
            int tunnelled = await LabTraffic.CountAsync(lab, ns, capture, expected);
            int other = await LabTraffic.CountAsync(lab, ns, capture, $"not ({expected})");
            output.WriteLine($"{name} WAN capture: {tunnelled} frames matching '{expected}', {other} other");
            Assert.True(tunnelled >= 10, $"{name}: only {tunnelled} frames on the WAN matched '{expected}'");
            Assert.Equal(0, other);
        }

        ProcessResult sample = await lab.Lab.ExecAsync(lab.GatewayNamespaceB, "tcpdump", "-n", "-r", captureB, "-c", "2");
        output.WriteLine($"first frames gwB received on the WAN:\n{sample.StandardOutput}");
    }

    private static (byte[] Encryption, byte[] Integrity) NewKeys(Cipher cipher) => cipher switch
    {
        Cipher.AesGcm128 => (RandomNumberGenerator.GetBytes(16 + 4), []), // key and 4-octet salt (RFC 4106 §8.1)
        _ => (RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(32)),
    };

    private static string Diagnostics(DataplaneGateway a, DataplaneGateway b) =>
        $"\n--- gwA dataplane ---\n{a.Process.Output}\n--- gwB dataplane ---\n{b.Process.Output}";
}
