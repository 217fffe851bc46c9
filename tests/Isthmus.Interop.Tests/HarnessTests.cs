using System.Net;
using Isthmus.Testing.Network;

namespace Isthmus.Interop.Tests;

/// <summary>
/// Two strongSwan peers, one per namespace, with one IKEv2 PSK tunnel between the LANs, built once for the
/// class. Proves the harness (lab, daemon control, list-sas model, key extraction) against a real IKE stack:
///   A (initiator)                                   B (responder)
///   HDR, SAi1, KEi, Ni, N(NATD_S_IP), N(NATD_D_IP) -->
///                                   <-- HDR, SAr1, KEr, Nr, N(NATD_*)
///   (float to UDP 4500: kernel-libipsec fakes NAT)
///   HDR, SK {IDi, IDr, AUTH, SAi2, TSi, TSr}       -->
///                                   <-- HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// A proposes TSr = 10.X.0.0/16; B narrows it to its own 10.X.2.0/24 (RFC 7296 §2.9).
/// </summary>
public sealed class EstablishedPskPair : IAsyncLifetime
{
    internal const string Psk = "isthmus-harness-test-psk-0123456789";

    public NetworkLab? Lab { get; private set; }

    public StrongSwan? A { get; private set; }

    public StrongSwan? B { get; private set; }

    public ProcessResult? Initiate { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (NetworkLab.WhyCannotRun() is not null)
        {
            return;
        }

        Lab = await NetworkLab.CreateAsync(nameof(HarnessTests));
        try
        {
            string wideRemote = $"10.{Lab.Subnet}.0.0/16";
            Task<StrongSwan> a = StrongSwan.StartAsync(Lab, Lab.NamespaceA,
                HarnessTests.SiteConf(Lab.AddressA, Lab.AddressB, "a.isthmus.test", "b.isthmus.test", Lab.LanSubnetA, wideRemote));
            Task<StrongSwan> b = StrongSwan.StartAsync(Lab, Lab.NamespaceB,
                HarnessTests.SiteConf(Lab.AddressB, Lab.AddressA, "b.isthmus.test", "a.isthmus.test", Lab.LanSubnetB, Lab.LanSubnetA));
            await Task.WhenAll(a.ContinueWith(_ => { }, TaskScheduler.Default), b.ContinueWith(_ => { }, TaskScheduler.Default));
            A = a.IsCompletedSuccessfully ? a.Result : null;
            B = b.IsCompletedSuccessfully ? b.Result : null;
            await Task.WhenAll(a, b);
            Initiate = await A!.InitiateAsync("net", "site", TimeSpan.FromSeconds(15));
        }
        catch
        {
            // A fixture whose start-up throws is not disposed by the runner: clean up here.
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (A is not null)
        {
            await A.DisposeAsync();
        }

        if (B is not null)
        {
            await B.DisposeAsync();
        }

        if (Lab is not null)
        {
            await Lab.DisposeAsync();
        }
    }
}

[Collection("netns")]
public sealed class HarnessTests(EstablishedPskPair pair) : IClassFixture<EstablishedPskPair>
{
    internal static string SiteConf(IPAddress local, IPAddress remote, string localId, string remoteId, string localTs, string remoteTs) => $$"""
        connections {
          site {
            version = 2
            local_addrs = {{local}}
            remote_addrs = {{remote}}
            proposals = aes256gcm16-prfsha384-ecp384
            rekey_time = 0
            local {
              auth = psk
              id = {{localId}}
            }
            remote {
              auth = psk
              id = {{remoteId}}
            }
            children {
              net {
                local_ts = {{localTs}}
                remote_ts = {{remoteTs}}
                esp_proposals = aes128gcm16
                rekey_time = 0
                start_action = none
              }
            }
          }
        }
        secrets {
          ike-site {
            id-local = {{localId}}
            id-remote = {{remoteId}}
            secret = "{{EstablishedPskPair.Psk}}"
          }
        }
        """;

    private (NetworkLab Lab, StrongSwan A, StrongSwan B) Established()
    {
        NetworkLab.SkipIfCannotRun();
        Assert.True(pair.Initiate!.Succeeded, $"{pair.Initiate.Describe()}\n--- A log ---\n{pair.A!.ReadLogTail()}\n--- B log ---\n{pair.B!.ReadLogTail()}");
        return (pair.Lab!, pair.A!, pair.B!);
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public async Task Both_peers_report_the_same_established_ike_sa_with_the_configured_algorithms()
    {
        (NetworkLab lab, StrongSwan a, StrongSwan b) = Established();

        SwanIkeSa ikeA = Assert.Single(await a.ListSasAsync());
        SwanIkeSa ikeB = Assert.Single(await b.ListSasAsync());

        Assert.Equal("ESTABLISHED", ikeA.State);
        Assert.Equal("ESTABLISHED", ikeB.State);
        Assert.True(ikeA.Initiator);
        Assert.False(ikeB.Initiator);
        Assert.Matches("^[0-9a-f]{16}$", ikeA.SpiI);
        Assert.Equal(ikeA.SpiI, ikeB.SpiI);
        Assert.Equal(ikeA.SpiR, ikeB.SpiR);
        Assert.Equal(lab.AddressA.ToString(), ikeA.LocalHost);
        Assert.Equal(lab.AddressB.ToString(), ikeA.RemoteHost);
        Assert.Equal(("a.isthmus.test", "b.isthmus.test"), (ikeA.LocalId, ikeA.RemoteId));
        Assert.Equal(("b.isthmus.test", "a.isthmus.test"), (ikeB.LocalId, ikeB.RemoteId));
        foreach (SwanIkeSa ike in new[] { ikeA, ikeB })
        {
            Assert.Equal(2, ike.Version);
            Assert.Equal(("AES_GCM_16", 256), (ike.EncrAlg, ike.EncrKeysize));
            Assert.Null(ike.IntegAlg);
            Assert.Equal("PRF_HMAC_SHA2_384", ike.PrfAlg);
            Assert.Equal("ECP_384", ike.DhGroup);
        }
    }

    [Fact]
    [Trait("RFC", "3948 2")]
    public async Task Kernel_libipsec_fakes_nat_so_the_ike_sa_floats_to_port_4500_and_esp_is_udp_encapsulated()
    {
        (_, StrongSwan a, StrongSwan b) = Established();

        foreach (SwanIkeSa ike in new[] { Assert.Single(await a.ListSasAsync()), Assert.Single(await b.ListSasAsync()) })
        {
            Assert.Equal((4500, 4500), (ike.LocalPort, ike.RemotePort));
            Assert.True(ike.NatAny);
            Assert.True(Assert.Single(ike.ChildSas).Encap);
        }
    }

    [Fact]
    [Trait("RFC", "7296 2.9")]
    public async Task Child_sa_is_installed_on_both_peers_with_mirrored_spis_and_narrowed_selectors()
    {
        (NetworkLab lab, StrongSwan a, StrongSwan b) = Established();

        SwanChildSa childA = Assert.Single(Assert.Single(await a.ListSasAsync()).ChildSas);
        SwanChildSa childB = Assert.Single(Assert.Single(await b.ListSasAsync()).ChildSas);

        Assert.Equal(("net", "INSTALLED"), (childA.Name, childA.State));
        Assert.Equal(("net", "INSTALLED"), (childB.Name, childB.State));
        Assert.Matches("^[0-9a-f]{8}$", childA.SpiIn);
        Assert.Equal(childA.SpiIn, childB.SpiOut);
        Assert.Equal(childA.SpiOut, childB.SpiIn);
        foreach (SwanChildSa child in new[] { childA, childB })
        {
            Assert.Equal(("ESP", "TUNNEL"), (child.Protocol, child.Mode));
            Assert.Equal(("AES_GCM_16", 128), (child.EncrAlg, child.EncrKeysize));
            Assert.Null(child.IntegAlg);
            Assert.Null(child.DhGroup);
            Assert.False(child.Esn);
        }

        // A asked for the whole 10.X.0.0/16; B's policy only allows its /24.
        Assert.Equal([lab.LanSubnetA], childA.LocalTs);
        Assert.Equal([lab.LanSubnetB], childA.RemoteTs);
        Assert.Equal([lab.LanSubnetB], childB.LocalTs);
        Assert.Equal([lab.LanSubnetA], childB.RemoteTs);
    }

    [Fact]
    [Trait("RFC", "7296 2.17")]
    public async Task Both_peers_log_the_same_child_sa_keys_for_the_same_spis()
    {
        (_, StrongSwan a, StrongSwan b) = Established();
        SwanChildSa childA = Assert.Single(Assert.Single(await a.ListSasAsync()).ChildSas);

        LoggedChildKeys keysA = Assert.Single(a.ParseChildKeysFromLog());
        LoggedChildKeys keysB = Assert.Single(b.ParseChildKeysFromLog());

        Assert.Equal((childA.SpiIn, childA.SpiOut), (keysA.SpiIn, keysA.SpiOut));
        Assert.Equal((keysA.SpiIn, keysA.SpiOut), (keysB.SpiOut, keysB.SpiIn));
        Assert.Equal(("net", "site"), (keysA.ChildName, keysA.IkeName));

        // AES-GCM-128 keying material is the 16-octet key plus a 4-octet salt (RFC 4106 §8.1).
        Assert.Matches("^[0-9A-F]{40}$", keysA.EncryptionInitiatorKey);
        Assert.Matches("^[0-9A-F]{40}$", keysA.EncryptionResponderKey);
        Assert.NotEqual(keysA.EncryptionInitiatorKey, keysA.EncryptionResponderKey);
        Assert.Equal(keysA.EncryptionInitiatorKey, keysB.EncryptionInitiatorKey);
        Assert.Equal(keysA.EncryptionResponderKey, keysB.EncryptionResponderKey);
        Assert.Null(keysA.IntegrityInitiatorKey);
        Assert.Null(keysB.IntegrityResponderKey);
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    public void Both_peers_log_the_same_ike_sa_keys()
    {
        (_, StrongSwan a, StrongSwan b) = Established();

        LoggedIkeKeys keysA = Assert.Single(a.ParseIkeKeysFromLog());
        LoggedIkeKeys keysB = Assert.Single(b.ParseIkeKeysFromLog());

        // PRF-HMAC-SHA384: SK_d, SK_pi, SK_pr are 48 octets; AES-GCM-256 SK_e* are 32 + 4 salt; no SK_a* with AEAD.
        Assert.Matches("^[0-9A-F]{96}$", keysA.SkD);
        Assert.Matches("^[0-9A-F]{72}$", keysA.SkEi);
        Assert.Null(keysA.SkAi);
        Assert.Null(keysA.SkAr);
        Assert.Equal(
            (keysA.SkD, keysA.SkEi, keysA.SkEr, keysA.SkPi, keysA.SkPr),
            (keysB.SkD, keysB.SkEi, keysB.SkEr, keysB.SkPi, keysB.SkPr));
        Assert.NotEqual(keysA.SkEi, keysA.SkEr);
    }

    [Fact]
    [Trait("RFC", "4303 3.1.1")]
    public async Task Ping_between_the_lans_passes_through_the_child_sa()
    {
        (NetworkLab lab, StrongSwan a, StrongSwan b) = Established();
        long sentBefore = Assert.Single(Assert.Single(await a.ListSasAsync()).ChildSas).PacketsOut;
        long receivedBefore = Assert.Single(Assert.Single(await b.ListSasAsync()).ChildSas).PacketsIn;

        ProcessResult ping = await lab.ExecAsync(lab.NamespaceA, TimeSpan.FromSeconds(15),
            "ping", "-c", "3", "-i", "0.2", "-W", "2", "-I", lab.LanA.ToString(), lab.LanB.ToString());

        Assert.True(ping.Succeeded, ping.Describe());
        Assert.Contains("3 received", ping.StandardOutput, StringComparison.Ordinal);
        SwanChildSa childA = Assert.Single(Assert.Single(await a.ListSasAsync()).ChildSas);
        SwanChildSa childB = Assert.Single(Assert.Single(await b.ListSasAsync()).ChildSas);
        Assert.True(childA.PacketsOut - sentBefore >= 3, $"A sent {childA.PacketsOut - sentBefore} ESP packets");
        Assert.True(childB.PacketsIn - receivedBefore >= 3, $"B received {childB.PacketsIn - receivedBefore} ESP packets");
    }

    [Fact]
    public async Task Disposing_a_lab_kills_its_process_groups_by_pid_and_deletes_its_namespaces()
    {
        NetworkLab.SkipIfCannotRun();
        NetworkLab lab = await NetworkLab.CreateAsync(
            nameof(Disposing_a_lab_kills_its_process_groups_by_pid_and_deletes_its_namespaces), TestContext.Current.CancellationToken);
        string childPidFile = Path.Combine(lab.CreateDirectory("probe"), "child.pid");
        int leader;
        int background;
        try
        {
            // The shell forks a background sleep: it must die with the group even though the lab never saw its PID.
            LabProcess shell = lab.StartProcess(lab.NamespaceB, "sh", "-c", $"sleep 600 & echo $! > {childPidFile}; wait");
            leader = shell.Pid;
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (!File.Exists(childPidFile) || File.ReadAllText(childPidFile).Trim().Length == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the probe shell did not start");
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            background = int.Parse(File.ReadAllText(childPidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(Directory.Exists($"/proc/{background}"));
            ProcessResult list = await lab.ExecAsync(lab.NamespaceA, "ip", "-o", "addr", "show", "dev", lab.InterfaceA);
            Assert.Contains($"{lab.AddressA}/24", list.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            await lab.DisposeAsync();
        }

        Assert.False(await IsRunningAsync(leader), "the started process survived dispose");
        Assert.True(await ExitsWithinAsync(background, TimeSpan.FromSeconds(5)), "a process in the started group survived dispose");
        ProcessResult namespaces = await ProcessRunner.RunAsync(["ip", "netns", "list"], null, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(lab.NamespaceA, namespaces.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(lab.NamespaceB, namespaces.StandardOutput, StringComparison.Ordinal);
        if (Environment.GetEnvironmentVariable(NetworkLab.KeepFilesVariable) != "1")
        {
            Assert.False(Directory.Exists(lab.WorkDirectory));
        }
    }

    [Fact]
    public async Task Exec_kills_a_command_that_outlives_its_timeout()
    {
        NetworkLab.SkipIfCannotRun();
        await using NetworkLab lab = await NetworkLab.CreateAsync(
            nameof(Exec_kills_a_command_that_outlives_its_timeout), TestContext.Current.CancellationToken);

        ProcessResult result = await lab.ExecAsync(lab.NamespaceA, TimeSpan.FromMilliseconds(300), "sleep", "30");

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.True(result.Duration < TimeSpan.FromSeconds(10), $"took {result.Duration}");
    }

    /// <summary>Running means present in /proc and not a zombie (an orphan is reaped by init a little later).</summary>
    private static Task<bool> IsRunningAsync(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return Task.FromResult(false);
        }

        string state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
        return Task.FromResult(state is not ("Z" or "X"));
    }

    private static async Task<bool> ExitsWithinAsync(int pid, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (await IsRunningAsync(pid))
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return true;
    }
}

/// <summary>The harness's parsers on captured strongSwan 5.9.8 output; these need no root.</summary>
public sealed class HarnessParserTests
{
    private const string ListSasPretty = """
        list-sa event {
          site {
            uniqueid = 3
            version = 2
            state = ESTABLISHED
            local-host = 172.31.77.1
            local-port = 4500
            local-id = C=CH, O=Isthmus, CN=a.isthmus.test
            remote-host = 172.31.77.2
            remote-port = 4500
            remote-id = b.isthmus.test
            initiator = yes
            initiator-spi = 321eda749b5ca22e
            responder-spi = 26fab450b3678a6e
            nat-remote = yes
            nat-any = yes
            encr-alg = AES_CBC
            encr-keysize = 128
            integ-alg = HMAC_SHA2_256_128
            prf-alg = PRF_HMAC_SHA2_256
            dh-group = CURVE_25519
            established = 11
            rekey-time = 13355
            child-sas {
              net-4 {
                name = net
                uniqueid = 4
                reqid = 1
                state = INSTALLED
                mode = TUNNEL
                protocol = ESP
                encap = yes
                spi-in = 6f4b85d8
                spi-out = 92d9df0c
                encr-alg = AES_CBC
                encr-keysize = 256
                integ-alg = HMAC_SHA2_256_128
                dh-group = ECP_256
                esn = 1
                bytes-in = 252
                packets-in = 3
                use-in = 0
                bytes-out = 504
                packets-out = 6
                use-out = 0
                rekey-time = 3255
                life-time = 3949
                install-time = 11
                local-ts = [
                  10.77.1.0/24
                  10.77.3.0/24
                ]
                remote-ts = [
                  10.77.2.0/24
                ]
              }
            }
          }
        }
        list-sas reply {
        }
        """;

    // Two jobs interleave (threads 09 and 15); the PSK dump ("secret") and a truncated dump must be ignored.
    private const string CharonLog = """
        04:49:50 15[IKE] <site|1> Sk_d secret => 4 bytes @ 0x7f12a8015170
        04:49:50 15[IKE] <site|1>    0: D6 16 B6 93                                      ....
        04:49:50 15[IKE] <site|1> Sk_ai secret => 2 bytes @ 0x7f12a8014df0
        04:49:50 09[CHD] <other|2> encryption initiator key => 18 bytes @ 0x7f12c4003270
        04:49:50 15[IKE] <site|1>    0: A1 A2                                            ..
        04:49:50 09[CHD] <other|2>    0: 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F  ................
        04:49:50 09[CHD] <other|2> adding inbound ESP SA
        04:49:50 15[IKE] <site|1> Sk_ar secret => 2 bytes @ 0x7f12a8014df0
        04:49:50 15[IKE] <site|1>    0: B1 B2                                            ..
        04:49:50 15[IKE] <site|1> Sk_ei secret => 2 bytes @ 0x7f12a8014df0
        04:49:50 15[IKE] <site|1>    0: C1 C2                                            ..
        04:49:50 15[IKE] <site|1> Sk_er secret => 2 bytes @ 0x7f12a8014e14
        04:49:50 15[IKE] <site|1>    0: D1 D2                                            ..
        04:49:50 15[IKE] <site|1> Sk_pi secret => 2 bytes @ 0x7f12a80113a0
        04:49:50 15[IKE] <site|1>    0: E1 E2                                            ..
        04:49:50 15[IKE] <site|1> Sk_pr secret => 2 bytes @ 0x7f12a8011420
        04:49:50 15[IKE] <site|1>    0: F1 F2                                            ..
        04:49:50 15[IKE] <site|1> secret => 3 bytes @ 0x7f12a8001510
        04:49:50 15[IKE] <site|1>    0: 70 73 6B                                         psk
        04:49:51 09[CHD] <site|1> encryption initiator key => 18 bytes @ 0x7f12c4003270
        04:49:51 09[CHD] <site|1>    0: 1E AD E4 06 7B C8 FD 7B EA 6B 04 8E AB 73 C2 42  ....{..{.k...s.B
        04:49:51 15[IKE] <site|1> sending packet: from 172.31.77.1[4500] to 172.31.77.2[4500] (279 bytes)
        04:49:51 09[CHD] <site|1>   16: 89 A0                                            ..
        04:49:51 09[CHD] <site|1> encryption responder key => 2 bytes @ 0x7f12c4002df0
        04:49:51 09[CHD] <site|1>    0: 49 4C                                            IL
        04:49:51 09[CHD] <site|1> integrity initiator key => 2 bytes @ 0x7f12c4002df0
        04:49:51 09[CHD] <site|1>    0: AB CD                                            ..
        04:49:51 09[CHD] <site|1> integrity responder key => 2 bytes @ 0x7f12c4002df0
        04:49:51 09[CHD] <site|1>    0: EF 01                                            ..
        04:49:51 09[CHD] <site|1> adding inbound ESP SA
        04:49:51 09[CHD] <site|1>   SPI 0x6f4b85d8, src 172.31.77.2 dst 172.31.77.1
        04:49:51 09[IKE] <site|1> CHILD_SA net{1} established with SPIs 6f4b85d8_i 92d9df0c_o and TS 10.77.1.0/24 === 10.77.2.0/24
        04:49:51 09[CHD] <site|1> CHILD_SA net{1} state change: INSTALLING => INSTALLED
        """;

    [Fact]
    public void List_sas_pretty_output_maps_every_modelled_field()
    {
        SwanIkeSa ike = Assert.Single(SwanctlOutputParser.ParseListSas(ListSasPretty));

        Assert.Equal(("site", 3, 2, "ESTABLISHED"), (ike.Name, ike.UniqueId, ike.Version, ike.State));
        Assert.Equal(("172.31.77.1", 4500, "C=CH, O=Isthmus, CN=a.isthmus.test"), (ike.LocalHost, ike.LocalPort, ike.LocalId));
        Assert.Equal(("172.31.77.2", 4500, "b.isthmus.test"), (ike.RemoteHost, ike.RemotePort, ike.RemoteId));
        Assert.True(ike.Initiator);
        Assert.Equal(("321eda749b5ca22e", "26fab450b3678a6e"), (ike.SpiI, ike.SpiR));
        Assert.Equal((false, true, false, true), (ike.NatLocal, ike.NatRemote, ike.NatFake, ike.NatAny));
        Assert.Equal(("AES_CBC", 128, "HMAC_SHA2_256_128"), (ike.EncrAlg, ike.EncrKeysize, ike.IntegAlg));
        Assert.Equal(("PRF_HMAC_SHA2_256", "CURVE_25519", 11L), (ike.PrfAlg, ike.DhGroup, ike.EstablishedSeconds));
        Assert.Equal("13355", ike.Values["rekey-time"]);

        SwanChildSa child = Assert.Single(ike.ChildSas);
        Assert.Equal(("net", 4, 1, "INSTALLED"), (child.Name, child.UniqueId, child.ReqId, child.State));
        Assert.Equal(("TUNNEL", "ESP", true), (child.Mode, child.Protocol, child.Encap));
        Assert.Equal(("6f4b85d8", "92d9df0c"), (child.SpiIn, child.SpiOut));
        Assert.Equal(("AES_CBC", 256, "HMAC_SHA2_256_128", "ECP_256", true), (child.EncrAlg, child.EncrKeysize, child.IntegAlg, child.DhGroup, child.Esn));
        Assert.Equal((252L, 3L, 504L, 6L), (child.BytesIn, child.PacketsIn, child.BytesOut, child.PacketsOut));
        Assert.Equal(["10.77.1.0/24", "10.77.3.0/24"], child.LocalTs);
        Assert.Equal(["10.77.2.0/24"], child.RemoteTs);
    }

    [Fact]
    public void List_sas_with_no_sas_is_empty()
    {
        Assert.Empty(SwanctlOutputParser.ParseListSas("list-sas reply {\n}\n"));
    }

    [Theory]
    [InlineData("list-sa event {\n  site {\n")]
    [InlineData("}\n")]
    [InlineData("uniqueid = 1\n")]
    [InlineData("list-sa event {\n  site {\n    uniqueid = one\n    state = ESTABLISHED\n  }\n}\n")]
    [InlineData("list-sa event {\n  site {\n    state = ESTABLISHED\n  }\n}\n")]
    [InlineData("list-sa event {\n  what is this\n}\n")]
    public void Malformed_list_sas_output_is_a_format_error(string text)
    {
        Assert.Throws<FormatException>(() => SwanctlOutputParser.ParseListSas(text));
    }

    [Fact]
    [Trait("RFC", "7296 2.14")]
    public void Ike_keys_are_read_per_thread_and_the_psk_dump_is_ignored()
    {
        LoggedIkeKeys keys = Assert.Single(StrongSwanLogParser.ParseIkeKeys(CharonLog));

        Assert.Equal(("site", 1), (keys.IkeName, keys.IkeUniqueId));
        Assert.Equal(("D616B693", "A1A2", "B1B2"), (keys.SkD, keys.SkAi, keys.SkAr));
        Assert.Equal(("C1C2", "D1D2", "E1E2", "F1F2"), (keys.SkEi, keys.SkEr, keys.SkPi, keys.SkPr));
    }

    [Fact]
    [Trait("RFC", "7296 2.17")]
    public void Child_keys_are_tied_to_the_spis_of_the_established_line_and_cut_dumps_are_dropped()
    {
        LoggedChildKeys keys = Assert.Single(StrongSwanLogParser.ParseChildKeys(CharonLog));

        Assert.Equal(("net", 1, "site", 1), (keys.ChildName, keys.ChildUniqueId, keys.IkeName, keys.IkeUniqueId));
        Assert.Equal(("6f4b85d8", "92d9df0c"), (keys.SpiIn, keys.SpiOut));
        Assert.Equal("1EADE4067BC8FD7BEA6B048EAB73C24289A0", keys.EncryptionInitiatorKey);
        Assert.Equal(("494C", "ABCD", "EF01"), (keys.EncryptionResponderKey, keys.IntegrityInitiatorKey, keys.IntegrityResponderKey));
    }

    [Fact]
    public void Key_records_never_print_key_material()
    {
        LoggedIkeKeys ike = Assert.Single(StrongSwanLogParser.ParseIkeKeys(CharonLog));
        LoggedChildKeys child = Assert.Single(StrongSwanLogParser.ParseChildKeys(CharonLog));

        foreach (string secret in new[] { ike.SkD, ike.SkEi, ike.SkPr, child.EncryptionInitiatorKey!, child.IntegrityResponderKey! })
        {
            Assert.DoesNotContain(secret, ike.ToString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, child.ToString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Generated_strongswan_conf_enables_libipsec_a_private_vici_socket_and_key_logging()
    {
        string conf = StrongSwan.BuildStrongSwanConf("/tmp/x", StrongSwanOptions.Default);

        Assert.Contains("socket = unix:///tmp/x/charon.vici", conf, StringComparison.Ordinal);
        Assert.Contains("kernel-libipsec {\n      load = yes", conf, StringComparison.Ordinal);
        Assert.Contains("path = /tmp/x/charon.log", conf, StringComparison.Ordinal);
        Assert.Contains("ike = 4", conf, StringComparison.Ordinal);
        Assert.Contains("chd = 4", conf, StringComparison.Ordinal);
    }
}
