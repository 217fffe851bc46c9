using System.Globalization;
using Isthmus.IkeDaemon.Control;
using Isthmus.Testing.Network;

namespace Isthmus.Interop.Tests;

/// <summary>
/// Isthmus against a real strongSwan 5.9 in network namespaces, in both roles, with PSK. Each run
/// checks that both daemons report the same IKE SA (SPIs, algorithms) and Child SA (SPIs,
/// algorithms, narrowed selectors), and that the Child SA keys Isthmus derived equal the keys
/// charon logged. strongSwan runs with kernel-libipsec, which claims a NAT, so every SA here
/// floats to UDP 4500 (RFC 3948): NAT-T is exercised on every run.
/// </summary>
[Collection("netns")]
public class IkeInteropTests
{
    private const string Psk = "interop-psk-0123456789abcdef";

    public static TheoryData<string, string> Proposals => new()
    {
        { "aes256gcm16-prfsha384-ecp384", "aes128gcm16" },
        { "aes128-sha256-modp2048", "aes128-sha256" },
        { "aes256-sha512-curve25519", "aes256-sha512" },
        { "chacha20poly1305-prfsha256-curve25519", "chacha20poly1305" },
        { "aes128ctr-aesxcbc-modp3072", "aes128ctr-sha256" },
        { "3des-sha1-modp1024", "3des-sha1" },
    };

    [Theory]
    [MemberData(nameof(Proposals))]
    [Trait("RFC", "7296 1.2")]
    public async Task Isthmus_initiates_to_strongSwan(string ike, string esp)
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(Isthmus_initiates_to_strongSwan), TestContext.Current.CancellationToken);
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Initiate"), lab.AddressA);

        var ours = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(30));
        var theirs = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Any(c => c.State == "INSTALLED"), TimeSpan.FromSeconds(10));
        AssertSame(ours, theirs, isthmus, swan);
        Assert.Equal("initiator", ours.Role);
        Assert.False(theirs.Initiator);
    }

    [Theory]
    [MemberData(nameof(Proposals))]
    [Trait("RFC", "7296 1.2")]
    public async Task strongSwan_initiates_to_Isthmus(string ike, string esp)
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(strongSwan_initiates_to_Isthmus), TestContext.Current.CancellationToken);
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Respond"), lab.AddressA);
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await WaitListening(isthmus);

        var initiate = await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20));
        Assert.True(initiate.Succeeded, $"swanctl --initiate failed:\n{initiate.Describe()}\nIsthmus log:\n{isthmus.Log}");
        var ours = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(10));
        var theirs = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Any(c => c.State == "INSTALLED"), TimeSpan.FromSeconds(10));
        AssertSame(ours, theirs, isthmus, swan);
        Assert.Equal("responder", ours.Role);
        Assert.True(theirs.Initiator);
    }

    [Fact]
    [Trait("RFC", "7296 1.4.1")]
    public async Task strongSwan_deletes_the_IKE_SA_and_Isthmus_removes_it()
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(strongSwan_deletes_the_IKE_SA_and_Isthmus_removes_it), TestContext.Current.CancellationToken);
        const string ike = "aes256gcm16-prfsha384-ecp384", esp = "aes128gcm16";
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Respond"), lab.AddressA);
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await WaitListening(isthmus);
        Assert.True((await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20))).Succeeded, isthmus.Log);
        await isthmus.WaitForAsync(s => s.State == "ESTABLISHED", TimeSpan.FromSeconds(10));

        var terminate = await swan.TerminateIkeAsync("isthmus");
        Assert.True(terminate.Succeeded, $"{terminate.Describe()}\n{isthmus.Log}");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while ((await isthmus.ListSasAsync()).Sas.Count > 0 && DateTime.UtcNow < deadline) await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Empty((await isthmus.ListSasAsync()).Sas);
        Assert.Contains("deleted by peer", isthmus.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    [Trait("RFC", "7296 2.15")]
    public async Task A_wrong_psk_is_refused_with_AUTHENTICATION_FAILED()
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(A_wrong_psk_is_refused_with_AUTHENTICATION_FAILED), TestContext.Current.CancellationToken);
        const string ike = "aes256gcm16-prfsha384-ecp384", esp = "aes128gcm16";
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Respond", psk: "not-the-same-secret-at-all"), lab.AddressA);
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await WaitListening(isthmus);

        var initiate = await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(15));
        Assert.False(initiate.Succeeded);
        Assert.Contains("AUTHENTICATION_FAILED", swan.ReadLog());
        Assert.Empty((await isthmus.ListSasAsync()).Sas);
        Assert.DoesNotContain("not-the-same-secret-at-all", isthmus.Log);
        Assert.DoesNotContain(Psk, isthmus.Log);
    }

    /// <summary>Identity types (RFC 7296 §3.5) as strongSwan writes them and as an IpsecTunnel names them.</summary>
    public static TheoryData<string, string, string, string, string> Identities => new()
    {
        // type, Isthmus value, strongSwan's id for Isthmus, strongSwan's own id, its value in the manifest
        { "IPv4", "{A}", "{A}", "{B}", "{B}" },
        { "USER_FQDN", "hq@isthmus.example", "hq@isthmus.example", "branch@isthmus.example", "branch@isthmus.example" },
        { "KEY_ID", "0x4973746d7573", "\"@#4973746d7573\"", "\"@#7377616e\"", "0x7377616e" }, // quoted: # starts a comment in swanctl.conf
        { "DER_ASN1_DN", "C=CH, O=Isthmus, CN=hq", "\"C=CH, O=Isthmus, CN=hq\"", "\"C=CH, O=Isthmus, CN=branch\"", "C=CH, O=Isthmus, CN=branch" },
    };

    [Theory]
    [MemberData(nameof(Identities))]
    [Trait("RFC", "7296 3.5")]
    public async Task Identity_types_are_matched_in_both_roles(string type, string ours, string swanForOurs, string swanOwn, string theirs)
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(Identity_types_are_matched_in_both_roles), TestContext.Current.CancellationToken);
        string Fill(string v) => v.Replace("{A}", lab.AddressA.ToString()).Replace("{B}", lab.AddressB.ToString());
        const string ike = "aes256gcm16-prfsha384-ecp384", esp = "aes128gcm16";
        var swanConf = SwanConfig(lab, ike, esp, initiate: false, swanId: Fill(swanOwn), isthmusId: Fill(swanForOurs));
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, swanConf, cancellationToken: TestContext.Current.CancellationToken);

        // Isthmus initiates: strongSwan must accept our IDi; we must accept its IDr.
        await using (var initiator = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Initiate",
            localIdType: type, localId: Fill(ours), peerIdType: type, peerId: Fill(theirs)), lab.AddressA))
        {
            var sa = await initiator.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(30));
            Assert.NotNull(sa.RemoteId);
        }
        await WaitUntil(async () => (await swan.ListSasAsync()).Count == 0, TimeSpan.FromSeconds(10));

        // strongSwan initiates: we must accept its IDi and answer with our IDr.
        await using var responder = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Respond",
            localIdType: type, localId: Fill(ours), peerIdType: type, peerId: Fill(theirs)), lab.AddressA);
        await WaitListening(responder);
        var initiate = await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20));
        Assert.True(initiate.Succeeded, $"{initiate.Describe()}\n{responder.Log}");
        await responder.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    [Trait("RFC", "7296 3.13.1")]
    public async Task IPv6_endpoints_identities_and_selectors_interoperate()
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(IPv6_endpoints_identities_and_selectors_interoperate), TestContext.Current.CancellationToken);
        var net = lab.Subnet.ToString("x", CultureInfo.InvariantCulture);
        string a = $"fd00:{net}::1", b = $"fd00:{net}::2", lanA = $"fd01:{net}:1::/64", lanB = $"fd01:{net}:2::/64";
        (await lab.ExecAsync(lab.NamespaceA, "ip", "addr", "add", a + "/64", "dev", lab.InterfaceA, "nodad")).EnsureSuccess();
        (await lab.ExecAsync(lab.NamespaceB, "ip", "addr", "add", b + "/64", "dev", lab.InterfaceB, "nodad")).EnsureSuccess();
        const string ike = "aes256gcm16-prfsha384-curve25519", esp = "aes256gcm16";
        var swanConf = SwanConfig(lab, ike, esp, initiate: false, swanId: b, isthmusId: a)
            .Replace($"local_addrs = {lab.AddressB}", $"local_addrs = {b}").Replace($"remote_addrs = {lab.AddressA}", $"remote_addrs = {a}")
            .Replace($"local_ts = {Subnet(lab.LanSubnetB)}", $"local_ts = {lanB}").Replace($"remote_ts = {Subnet(lab.LanSubnetA)}", $"remote_ts = {lanA}");
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, swanConf, cancellationToken: TestContext.Current.CancellationToken);
        // Exact IPv6 selectors: strongSwan 5.9.8 answers TS_UNACCEPTABLE when asked to narrow a wider IPv6 TSr
        // (fd01:X::/48 to its fd01:X:2::/64), though it narrows the IPv4 equivalent in the tests above;
        // Isthmus's own IPv6 narrowing is covered in memory.
        var manifests = Manifests(lab, ike, esp, "Initiate", localIdType: "IPv6", localId: a, peerIdType: "IPv6", peerId: b)
            .Replace($"address: {lab.AddressA}", $"address: \"{a}\"").Replace($"address: {lab.AddressB}", $"address: \"{b}\"")
            .Replace($"cidr: {Subnet(lab.LanSubnetA)}", $"cidr: \"{lanA}\"").Replace($"cidr: {Wide(lab.LanSubnetB)}", $"cidr: \"{lanB}\"");
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, manifests, System.Net.IPAddress.Parse(a));

        // The IKE SA comes up over IPv6 with IPv6 identities, and strongSwan selects the Child SA's IPv6 selectors.
        // Its userspace ESP (kernel-libipsec) then cannot route IPv6 through its TUN device in this namespace and
        // answers TS_UNACCEPTABLE, so the Child SA itself is checked over IPv4 in the other tests.
        var ours = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED", TimeSpan.FromSeconds(30));
        var theirs = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED", TimeSpan.FromSeconds(10));
        Assert.Equal(ours.SpiI, theirs.SpiI, ignoreCase: true);
        Assert.Equal(ours.SpiR, theirs.SpiR, ignoreCase: true);
        Assert.Equal(SwanIkeAlgorithms(theirs), ours.Algorithms);
        Assert.Equal(a, theirs.RemoteId);
        Assert.Equal(b, theirs.LocalId);
        await WaitUntil(() => Task.FromResult(swan.ReadLog().Contains("found matching child config \"net\"")), TimeSpan.FromSeconds(10));
        Assert.Contains($"match: {lanA}", swan.ReadLog());
        Assert.Contains($"match: {lanB}", swan.ReadLog());
    }

    [Fact]
    [Trait("RFC", "7296 1.3.3")]
    public async Task strongSwan_rekeys_the_Child_SA_and_the_IKE_SA_with_Isthmus_as_responder()
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(strongSwan_rekeys_the_Child_SA_and_the_IKE_SA_with_Isthmus_as_responder), TestContext.Current.CancellationToken);
        const string ike = "aes256-sha256-modp2048", esp = "aes128gcm16-modp2048";
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Respond"), lab.AddressA);
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await WaitListening(isthmus);
        Assert.True((await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20))).Succeeded, isthmus.Log);
        var first = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Any(c => c.State == "INSTALLED"), TimeSpan.FromSeconds(10));
        var firstChild = first.ChildSas.Single(c => c.State == "INSTALLED");

        // Child SA rekey with PFS (MODP-2048 KE in CREATE_CHILD_SA), then the old one is deleted.
        Assert.True((await swan.RekeyChildAsync("net")).Succeeded);
        var afterChild = await swan.WaitForIkeSaAsync(s => s.ChildSas.Count == 1 && s.ChildSas[0].State == "INSTALLED" &&
            !string.Equals(s.ChildSas[0].SpiIn, firstChild.SpiIn, StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));
        var ours = await isthmus.WaitForAsync(s => s.ChildSas.Count == 1 &&
            string.Equals(s.ChildSas[0].SpiOut, afterChild.ChildSas[0].SpiIn, StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10));
        Assert.Equal("MODP_2048", afterChild.ChildSas[0].DhGroup);
        AssertSame(ours, afterChild, isthmus, swan);

        // IKE SA rekey: new SPIs, SKEYSEED from the old SK_d, the Child SA moves over.
        Assert.True((await swan.RekeyIkeAsync("isthmus")).Succeeded);
        var afterIke = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" &&
            !string.Equals(s.SpiI, first.SpiI, StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(15));
        var oursAfterIke = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" &&
            string.Equals(s.SpiI, afterIke.SpiI, StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10));
        await WaitUntil(async () => (await isthmus.ListSasAsync()).Sas.Count == 1, TimeSpan.FromSeconds(10));
        AssertSame(oursAfterIke, afterIke, isthmus, swan);
        Assert.Contains("IKE SA rekeyed", isthmus.Log);
    }

    [Fact]
    [Trait("RFC", "7296 2.8")]
    public async Task Isthmus_rekeys_on_its_own_timers_and_strongSwan_follows()
    {
        NetworkLab.SkipIfCannotRun();
        await using var lab = await NetworkLab.CreateAsync(nameof(Isthmus_rekeys_on_its_own_timers_and_strongSwan_follows), TestContext.Current.CancellationToken);
        const string ike = "aes256gcm16-prfsha384-ecp384", esp = "aes256gcm16-ecp384";
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab, ike, esp, initiate: false), cancellationToken: TestContext.Current.CancellationToken);
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, Manifests(lab, ike, esp, "Initiate", ikeRekey: "9s", childRekey: "4s"), lab.AddressA);
        var first = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(30));

        // A Child SA rekey at about 4 s, an IKE SA rekey at about 9 s.
        var rekeyed = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" && s.SpiI != first.SpiI && s.ChildSas.Count == 1 &&
            s.ChildSas[0].SpiIn != first.ChildSas[0].SpiIn, TimeSpan.FromSeconds(25));
        var theirs = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" &&
            string.Equals(s.SpiI, rekeyed.SpiI, StringComparison.OrdinalIgnoreCase) && s.ChildSas.Count(c => c.State == "INSTALLED") == 1, TimeSpan.FromSeconds(10));
        rekeyed = (await isthmus.ListSasAsync()).Sas.Single(s => s.SpiI == rekeyed.SpiI);
        AssertSame(rekeyed, theirs, isthmus, swan);
        Assert.Contains("CHILD SA net rekeyed", isthmus.Log);
        Assert.Contains("IKE SA rekeyed", isthmus.Log);
    }

    private static async Task WaitUntil(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    internal static async Task WaitListening(IsthmusDaemon isthmus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (isthmus.HasExited) throw new InvalidOperationException($"isthmus-iked exited:\n{isthmus.Log}");
            if (File.Exists(isthmus.ControlSocket)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"isthmus-iked did not start:\n{isthmus.Log}");
    }

    private static void AssertSame(IkeSaSnapshot ours, SwanIkeSa theirs, IsthmusDaemon isthmus, StrongSwan swan)
    {
        var context = $"\nIsthmus log:\n{isthmus.Log}\nstrongSwan log tail:\n{swan.ReadLogTail(40)}";
        Assert.True(string.Equals(ours.SpiI, theirs.SpiI, StringComparison.OrdinalIgnoreCase), $"SPIi {ours.SpiI} vs {theirs.SpiI}{context}");
        Assert.True(string.Equals(ours.SpiR, theirs.SpiR, StringComparison.OrdinalIgnoreCase), $"SPIr {ours.SpiR} vs {theirs.SpiR}{context}");
        Assert.Equal(SwanIkeAlgorithms(theirs), ours.Algorithms);
        Assert.True(ours.NatLocal || ours.NatRemote, "kernel-libipsec claims a NAT: the SA must have floated to 4500");

        var ourChild = Assert.Single(ours.ChildSas);
        var theirChild = theirs.ChildSas.Single(c => c.State == "INSTALLED");
        Assert.Equal(ourChild.SpiIn, theirChild.SpiOut, ignoreCase: true);
        Assert.Equal(ourChild.SpiOut, theirChild.SpiIn, ignoreCase: true);
        Assert.Equal(SwanChildAlgorithms(theirChild), ourChild.Algorithms);
        Assert.Equal(theirChild.RemoteTs, ourChild.LocalTs);
        Assert.Equal(theirChild.LocalTs, ourChild.RemoteTs);
        Assert.True(ourChild.UdpEncapsulation && theirChild.Encap, "ESP must be UDP-encapsulated behind the (claimed) NAT");

        var ourKeys = isthmus.ChildKeys()[ourChild.SpiIn];
        var swanKeys = swan.ParseChildKeysFromLog().Single(k =>
            string.Equals(k.SpiIn, ourChild.SpiOut, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(swanKeys.EncryptionInitiatorKey ?? "", ourKeys.EncrI, ignoreCase: true);
        Assert.Equal(swanKeys.EncryptionResponderKey ?? "", ourKeys.EncrR, ignoreCase: true);
        Assert.Equal(swanKeys.IntegrityInitiatorKey ?? "", ourKeys.IntegI, ignoreCase: true);
        Assert.Equal(swanKeys.IntegrityResponderKey ?? "", ourKeys.IntegR, ignoreCase: true);
        Assert.NotEqual("", ourKeys.EncrI);
    }

    /// <summary>strongSwan's raw fields in the order ProposalFormatter.Format prints: ENCR_keysize/INTEG/PRF/DH.</summary>
    private static string SwanIkeAlgorithms(SwanIkeSa sa) => string.Join('/', new[]
    {
        sa.EncrAlg + (sa.EncrKeysize is { } k && k > 0 && !FixedKey(sa.EncrAlg) ? "_" + k.ToString(CultureInfo.InvariantCulture) : ""),
        sa.IntegAlg, sa.PrfAlg, sa.DhGroup,
    }.Where(s => !string.IsNullOrEmpty(s)));

    private static string SwanChildAlgorithms(SwanChildSa c) => string.Join('/', new[]
    {
        c.EncrAlg + (c.EncrKeysize is { } k && k > 0 && !FixedKey(c.EncrAlg) ? "_" + k.ToString(CultureInfo.InvariantCulture) : ""),
        c.IntegAlg, c.DhGroup, c.Esn ? "EXT_SEQ" : "NO_EXT_SEQ",
    }.Where(s => !string.IsNullOrEmpty(s)));

    private static bool FixedKey(string? alg) => alg is "CHACHA20_POLY1305" or "3DES_CBC";

    internal static string Manifests(NetworkLab lab, string ike, string esp, string startAction, string psk = Psk,
        string ikeRekey = "4h", string childRekey = "1h", string localIdType = "FQDN", string localId = "isthmus.example.com",
        string peerIdType = "FQDN", string peerId = "strongswan.example.com") => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: interop-psk
          namespace: default
        stringData:
          psk: "{psk}"
        ---
        apiVersion: ipsec.isthmus.dev/v1alpha1
        kind: TrafficSelector
        metadata:
          name: sites
          namespace: default
        spec:
          local:
            - cidr: {Subnet(lab.LanSubnetA)}
          remote:
            - cidr: {Wide(lab.LanSubnetB)}
        ---
        apiVersion: ipsec.isthmus.dev/v1alpha1
        kind: IpsecTunnel
        metadata:
          name: interop
          namespace: default
        spec:
          startAction: {startAction}
          local:
            address: {lab.AddressA}
            id:
              type: {localIdType}
              value: "{localId}"
          peer:
            address: {lab.AddressB}
            id:
              type: {peerIdType}
              value: "{peerId}"
          authentication:
            method: Psk
            psk:
              secretRef:
                name: interop-psk
                key: psk
          ike:
            proposals: [ "{ike}" ]
            rekeyTime: {ikeRekey}
            dpdDelay: 0s
          child:
            name: net
            proposals: [ "{esp}" ]
            rekeyTime: {childRekey}
          trafficSelectors:
            refs: [ sites ]
        """;

    internal static string SwanConfig(NetworkLab lab, string ike, string esp, bool initiate,
        string swanId = "strongswan.example.com", string isthmusId = "isthmus.example.com") => $$"""
        connections {
          isthmus {
            version = 2
            local_addrs = {{lab.AddressB}}
            remote_addrs = {{lab.AddressA}}
            proposals = {{ike}}
            local {
              auth = psk
              id = {{swanId}}
            }
            remote {
              auth = psk
              id = {{isthmusId}}
            }
            children {
              net {
                local_ts = {{Subnet(lab.LanSubnetB)}}
                remote_ts = {{Subnet(lab.LanSubnetA)}}
                esp_proposals = {{esp}}
                start_action = {{(initiate ? "start" : "none")}}
              }
            }
          }
        }
        secrets {
          ike-isthmus {
            id-1 = {{isthmusId}}
            id-2 = {{swanId}}
            secret = "{{Psk}}"
          }
        }
        """;

    /// <summary>The lab's LAN prefix as a /24 (the lab may hand out a host route).</summary>
    private static string Subnet(string lan)
    {
        var address = lan.Split('/')[0].Split('.');
        return $"{address[0]}.{address[1]}.{address[2]}.0/24";
    }

    /// <summary>A wider prefix that contains <paramref name="lan"/>, so the responder has to narrow (RFC 7296 §2.9).</summary>
    private static string Wide(string lan)
    {
        var address = lan.Split('/')[0].Split('.');
        return $"{address[0]}.{address[1]}.0.0/16";
    }
}
