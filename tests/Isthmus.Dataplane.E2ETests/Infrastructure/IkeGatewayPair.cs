using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Esp;
using Isthmus.IkeDaemon.Control;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>
/// Two complete Isthmus gateways on a <see cref="DataplaneLab"/>, as scripts/demo.sh runs them: each gateway
/// namespace runs <c>isthmus-dataplane serve --backend dpdk</c> and <c>isthmus-iked run</c>; site A initiates
/// and both daemons install the negotiated Child SA into their dataplanes.
/// <code>
///   lanA ─ gwA [kernel: WanA, IKE │ DPDK: tap ═ af_packet] ══ WAN ══ [af_packet ═ tap │ IKE, WanB] gwB ─ lanB
/// </code>
/// The gateways' kernels hold the WAN addresses (IKE runs there, on UDP 500/4500); the dataplanes read and
/// write the same veths through net_af_packet and carry the ESP, which the kernels drop (nftables). With <see cref="Options.BehindNat"/>, gwA's
/// WAN link leads to a router namespace that masquerades it (nftables) onto a second segment with gwB:
/// <code>
///   gwA 172.31.X.1 ─ [172.31.X.254  nat  172.30.X.1 (masquerade)] ─ 172.30.X.2 gwB
/// </code>
/// so IKE finds the NAT for real (RFC 7296 §2.23), floats to UDP 4500, and the ESP is UDP-encapsulated (RFC 3948).
/// </summary>
public sealed class IkeGatewayPair
{
    private IkeGatewayPair(DataplaneLab lab, Options options, IPAddress wanA, IPAddress wanB, IPAddress peerAddressSeenByB, string wanLinkB,
        string? natNamespace = null, string? natOutsideLink = null)
    {
        NatNamespace = natNamespace;
        NatOutsideLink = natOutsideLink;
        Lab = lab;
        Settings = options;
        WanA = wanA;
        WanB = wanB;
        PeerAddressSeenByB = peerAddressSeenByB;
        WanLinkB = wanLinkB;
    }

    public sealed record Options
    {
        /// <summary>Put a masquerading router between the gateways (gwA behind the NAT).</summary>
        public bool BehindNat { get; init; }

        /// <summary>spec.child.rekeyTime of gwA's tunnel (the initiator), or null for the default.</summary>
        public string? InitiatorChildRekeyTime { get; init; }

        /// <summary>spec.child.lifetime of gwA's tunnel, or null for the default.</summary>
        public string? InitiatorChildLifetime { get; init; }
    }

    public DataplaneLab Lab { get; }

    public Options Settings { get; }

    /// <summary>gwA's WAN address (private, behind the NAT, with <see cref="Options.BehindNat"/>).</summary>
    public IPAddress WanA { get; }

    public IPAddress WanB { get; }

    /// <summary>Where gwA's packets come from as gwB sees them: <see cref="WanA"/>, or the NAT's public address.</summary>
    public IPAddress PeerAddressSeenByB { get; }

    /// <summary>gwB's WAN link (in <see cref="DataplaneLab.GatewayNamespaceB"/>), for captures.</summary>
    public string WanLinkB { get; }

    /// <summary>The router namespace with <see cref="Options.BehindNat"/>, else null.</summary>
    public string? NatNamespace { get; }

    /// <summary>The router's public link (toward gwB), where a capture sees both directions as the Internet would.</summary>
    public string? NatOutsideLink { get; }

    public DataplaneGateway DataplaneA { get; private set; } = null!;

    public DataplaneGateway DataplaneB { get; private set; } = null!;

    public IkeDaemonProcess IkeA { get; private set; } = null!;

    public IkeDaemonProcess IkeB { get; private set; } = null!;

    /// <summary>Why these tests cannot run here (the DPDK lab's reasons, the IKE daemon, nft), or null.</summary>
    public static string? WhyCannotRun()
    {
        string? reason = DataplaneLab.WhyCannotRun();
        if (reason is not null)
        {
            return reason;
        }

        if (!File.Exists(IkeDaemonProcess.Executable))
        {
            return $"{IkeDaemonProcess.Executable} is missing (the project reference on Isthmus.IkeDaemon builds it)";
        }

        if (!new[] { "/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft" }.Any(File.Exists))
        {
            return "nft is not installed (run scripts/setup.sh: nftables keeps ESP from the gateway kernels and builds the NAT)";
        }

        return null;
    }

    /// <summary>Skips the calling test with the reason, or fails it under CI=true, ISTHMUS_REQUIRE_DPDK=1 or ISTHMUS_REQUIRE_NETNS=1.</summary>
    public static void SkipIfCannotRun()
    {
        string? reason = WhyCannotRun();
        if (reason is null)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true" || Environment.GetEnvironmentVariable(DataplaneLab.RequireDpdkVariable) == "1" ||
            Environment.GetEnvironmentVariable(NetworkLab.RequireVariable) == "1")
        {
            Assert.Fail($"the IKE + DPDK end-to-end lab is required here but cannot run: {reason}");
        }

        Assert.Skip(reason);
    }

    /// <summary>
    /// Builds the WAN (and the NAT), starts both dataplanes, then gwB's daemon (responder) and gwA's
    /// (initiator). Returns before the tunnel is up: see <see cref="WaitForTunnelAsync"/>.
    /// </summary>
    public static async Task<IkeGatewayPair> StartAsync(DataplaneLab lab, Options options, CancellationToken cancellationToken)
    {
        int x = lab.Lab.Subnet;
        IkeGatewayPair pair;
        string a = lab.GatewayNamespaceA;
        string b = lab.GatewayNamespaceB;
        byte[] nextHopOfA;
        byte[] nextHopOfB;
        if (!options.BehindNat)
        {
            // The dataplane lab leaves the WAN link to the dataplanes; IKE needs the kernel addresses back.
            await lab.RunAsync(a, "ip", "addr", "add", $"{lab.WanA}/24", "dev", lab.WanLinkA);
            await lab.RunAsync(b, "ip", "addr", "add", $"{lab.WanB}/24", "dev", lab.WanLinkB);
            pair = new IkeGatewayPair(lab, options, lab.WanA, lab.WanB, lab.WanA, lab.WanLinkB);
            nextHopOfA = await lab.MacOfAsync(b, lab.WanLinkB);
            nextHopOfB = await lab.MacOfAsync(a, lab.WanLinkA);
        }
        else
        {
            string nat = await lab.Lab.AddNamespaceAsync("nt", cancellationToken);
            await lab.RunAsync(nat, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            IPAddress wanA = lab.WanA;
            IPAddress inside = Address(x, "172.31.{0}.254");
            IPAddress outside = Address(x, "172.30.{0}.1");
            IPAddress wanB = Address(x, "172.30.{0}.2");
            string insideLink = lab.WanLinkB;
            string outsideLink = $"n{lab.Lab.Id}o";
            string wanLinkB = $"n{lab.Lab.Id}b";

            // gwA's WAN veth now ends in the router; a second veth joins the router to gwB.
            await lab.RunAsync(b, "ip", "link", "set", "dev", insideLink, "netns", nat);
            await lab.RunAsync(nat, "ip", "link", "add", outsideLink, "type", "veth", "peer", "name", wanLinkB, "netns", b);
            await lab.RunAsync(nat, "ip", "addr", "add", $"{inside}/24", "dev", insideLink);
            await lab.RunAsync(nat, "ip", "addr", "add", $"{outside}/24", "dev", outsideLink);
            await lab.RunAsync(nat, "ip", "link", "set", "dev", insideLink, "up");
            await lab.RunAsync(nat, "ip", "link", "set", "dev", outsideLink, "up");
            await lab.RunAsync(nat, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            string rules = Path.Combine(lab.Lab.WorkDirectory, "nat.nft");
            await File.WriteAllTextAsync(rules, $$"""
                table ip isthmus_nat {
                    chain postrouting {
                        type nat hook postrouting priority srcnat; policy accept;
                        oifname "{{outsideLink}}" masquerade
                    }
                }

                """, cancellationToken);
            await lab.RunAsync(nat, "nft", "-f", rules);

            await lab.RunAsync(a, "ip", "addr", "add", $"{wanA}/24", "dev", lab.WanLinkA);
            await lab.RunAsync(a, "ip", "route", "add", string.Create(CultureInfo.InvariantCulture, $"172.30.{x}.0/24"), "via", inside.ToString(), "dev", lab.WanLinkA);
            await lab.RunAsync(b, "ip", "addr", "add", $"{wanB}/24", "dev", wanLinkB);
            await lab.RunAsync(b, "ip", "link", "set", "dev", wanLinkB, "up");
            await lab.RunAsync(b, "sysctl", "-q", "-w", $"net.ipv4.conf.{wanLinkB}.forwarding=0");
            pair = new IkeGatewayPair(lab, options, wanA, wanB, outside, wanLinkB, nat, outsideLink);
            nextHopOfA = await lab.MacOfAsync(nat, insideLink);
            nextHopOfB = await lab.MacOfAsync(nat, outsideLink);
        }

        // The ESP on the WAN veths is the dataplanes' (they read it through net_af_packet). The gateway kernels share
        // the veths for IKE only: without an ESP handler they would answer every ESP packet with an ICMP protocol
        // unreachable, which the peer's dataplane then counts as a drop. A node whose NIC DPDK owns never sees that.
        string espToDataplane = Path.Combine(lab.Lab.WorkDirectory, "gateway.nft");
        await File.WriteAllTextAsync(espToDataplane, """
            table ip isthmus_gateway {
                chain input {
                    type filter hook input priority filter; policy accept;
                    ip protocol esp drop
                }
            }

            """, cancellationToken);
        await lab.RunAsync(a, "nft", "-f", espToDataplane);
        await lab.RunAsync(b, "nft", "-f", espToDataplane);

        pair.DataplaneA = await lab.StartGatewayAsync(a, lab.TapA, lab.WanLinkA, nextHopOfA, "crypto_aesni_gcm", lab.LanSubnetB, cancellationToken);
        pair.DataplaneB = await lab.StartGatewayAsync(b, lab.TapB, pair.WanLinkB, nextHopOfB, "crypto_aesni_gcm", lab.LanSubnetA, cancellationToken);

        string psk = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var siteA = new IkeSiteManifest
        {
            TunnelName = "site-a-to-b",
            StartAction = "Initiate",
            LocalAddress = pair.WanA,
            LocalId = "site-a.example.com",
            PeerAddress = pair.WanB,
            PeerId = "site-b.example.com",
            LocalLan = lab.LanSubnetA,
            RemoteLan = lab.LanSubnetB,
            Psk = psk,
            ChildRekeyTime = options.InitiatorChildRekeyTime,
            ChildLifetime = options.InitiatorChildLifetime,
        };
        var siteB = new IkeSiteManifest
        {
            TunnelName = "site-b-from-a",
            StartAction = "Respond",
            LocalAddress = pair.WanB,
            LocalId = "site-b.example.com",
            PeerAddress = pair.PeerAddressSeenByB,
            PeerId = "site-a.example.com",
            LocalLan = lab.LanSubnetB,
            RemoteLan = lab.LanSubnetA,
            Psk = psk,
        };
        string configA = Path.Combine(lab.Lab.WorkDirectory, "site-a.yaml");
        string configB = Path.Combine(lab.Lab.WorkDirectory, "site-b.yaml");
        siteA.WriteTo(configA);
        siteB.WriteTo(configB);

        pair.IkeB = await IkeDaemonProcess.StartAsync(lab, b, "b", configB, pair.WanB, pair.DataplaneB.SocketPath, cancellationToken);
        pair.IkeA = await IkeDaemonProcess.StartAsync(lab, a, "a", configA, pair.WanA, pair.DataplaneA.SocketPath, cancellationToken);
        return pair;
    }

    /// <summary>
    /// Waits until both daemons have one established IKE SA with one Child SA (the same SPIs, mirrored),
    /// whose SPIs are not in <paramref name="previousSpis"/>, and both dataplanes hold exactly that Child
    /// SA's two SAs with the policies pointing at them. Fails with both daemons' logs after <paramref name="timeout"/>.
    /// </summary>
    public async Task<TunnelState> WaitForTunnelAsync(TimeSpan timeout, IReadOnlyCollection<uint> previousSpis, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        string last = "nothing read yet";
        while (true)
        {
            Assert.False(IkeA.Process.HasExited, $"isthmus-iked in gwA exited with {IkeA.Process.ExitCode}{Diagnostics()}");
            Assert.False(IkeB.Process.HasExited, $"isthmus-iked in gwB exited with {IkeB.Process.ExitCode}{Diagnostics()}");
            (TunnelState? state, last) = await TryReadAsync(previousSpis, cancellationToken);
            if (state is not null)
            {
                return state;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the tunnel was not up and installed within {timeout.TotalSeconds} s ({last}){Diagnostics()}");
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Both daemons' and both dataplanes' logs, for assertion messages (no keys: the daemons run without --debug-keys).</summary>
    public string Diagnostics() =>
        $"\n--- gwA isthmus-iked ---\n{IkeA?.Process.Output}\n--- gwB isthmus-iked ---\n{IkeB?.Process.Output}" +
        $"\n--- gwA dataplane ---\n{DataplaneA?.Process.Output}\n--- gwB dataplane ---\n{DataplaneB?.Process.Output}";

    private async Task<(TunnelState? State, string Why)> TryReadAsync(IReadOnlyCollection<uint> previousSpis, CancellationToken cancellationToken)
    {
        DaemonSnapshot snapshotA = await IkeA.ListSasAsync(cancellationToken);
        DaemonSnapshot snapshotB = await IkeB.ListSasAsync(cancellationToken);
        if (IkeDaemonProcess.SingleTunnel(snapshotA) is not { } a)
        {
            return (null, $"gwA has {Describe(snapshotA)}");
        }

        if (IkeDaemonProcess.SingleTunnel(snapshotB) is not { } b)
        {
            return (null, $"gwB has {Describe(snapshotB)}");
        }

        uint inA = ParseSpi(a.Child.SpiIn);
        uint outA = ParseSpi(a.Child.SpiOut);
        uint inB = ParseSpi(b.Child.SpiIn);
        uint outB = ParseSpi(b.Child.SpiOut);
        if (inA != outB || outA != inB)
        {
            return (null, $"the daemons disagree: gwA {inA:x8}_i {outA:x8}_o, gwB {inB:x8}_i {outB:x8}_o");
        }

        if (previousSpis.Contains(inA) || previousSpis.Contains(outA))
        {
            return (null, $"the Child SA still has SPIs {inA:x8}_i {outA:x8}_o");
        }

        IReadOnlyList<EspSaSummary> sasA = await DataplaneA.Client.ListSasAsync(cancellationToken);
        IReadOnlyList<EspSaSummary> sasB = await DataplaneB.Client.ListSasAsync(cancellationToken);
        IReadOnlyList<EspPolicy> policiesA = await DataplaneA.Client.ListPoliciesAsync(cancellationToken);
        IReadOnlyList<EspPolicy> policiesB = await DataplaneB.Client.ListPoliciesAsync(cancellationToken);
        if (!Holds(sasA, policiesA, inA, outA) || !Holds(sasB, policiesB, inB, outB))
        {
            return (null, $"the dataplanes do not hold exactly the Child SA yet: gwA [{Describe(sasA, policiesA)}], gwB [{Describe(sasB, policiesB)}]");
        }

        return (new TunnelState(snapshotA, snapshotB, a.Ike, a.Child, b.Ike, b.Child, inA, outA, sasA, sasB), "up");
    }

    /// <summary>Exactly the inbound and outbound SA of the Child SA, and every policy pointing at one of them.</summary>
    private static bool Holds(IReadOnlyList<EspSaSummary> sas, IReadOnlyList<EspPolicy> policies, uint spiIn, uint spiOut) =>
        sas.Count == 2 &&
        sas.Any(s => s.Spi == spiIn && s.Direction == EspDirection.Inbound) &&
        sas.Any(s => s.Spi == spiOut && s.Direction == EspDirection.Outbound) &&
        policies.Count == 2 &&
        policies.Any(p => p.Direction == PolicyDirection.Out && p.Spi == spiOut) &&
        policies.Any(p => p.Direction == PolicyDirection.In && p.Spi == spiIn);

    private static string Describe(DaemonSnapshot snapshot) =>
        snapshot.Sas.Count == 0
            ? "no IKE SA"
            : string.Join("; ", snapshot.Sas.Select(s => $"IKE SA {s.SpiI}_i {s.SpiR}_r {s.State} with Child SAs [{string.Join(", ", s.ChildSas.Select(c => $"{c.SpiIn}_i {c.SpiOut}_o"))}]"));

    private static string Describe(IReadOnlyList<EspSaSummary> sas, IReadOnlyList<EspPolicy> policies) =>
        $"SAs {string.Join(", ", sas.Select(s => $"{s.Spi:x8} {s.Direction}"))}; policies {string.Join(", ", policies.Select(p => $"{p.Direction}->{p.Spi:x8}"))}";

    public static uint ParseSpi(string hex) => uint.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static IPAddress Address(int subnet, string format) => IPAddress.Parse(string.Format(CultureInfo.InvariantCulture, format, subnet));
}

/// <summary>What both daemons and both dataplanes agreed on at one moment.</summary>
/// <param name="SpiInA">gwA's inbound SPI (gwB's outbound).</param>
/// <param name="SpiOutA">gwA's outbound SPI (gwB's inbound).</param>
public sealed record TunnelState(
    DaemonSnapshot SnapshotA,
    DaemonSnapshot SnapshotB,
    IkeSaSnapshot IkeA,
    ChildSaSnapshot ChildA,
    IkeSaSnapshot IkeB,
    ChildSaSnapshot ChildB,
    uint SpiInA,
    uint SpiOutA,
    IReadOnlyList<EspSaSummary> DataplaneSasA,
    IReadOnlyList<EspSaSummary> DataplaneSasB);
