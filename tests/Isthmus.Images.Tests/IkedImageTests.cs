using System.Globalization;
using System.Text.Json;
using Isthmus.IkeDaemon.Control;
using Isthmus.Images.Tests.Infrastructure;
using Isthmus.Testing.Network;

namespace Isthmus.Images.Tests;

/// <summary>
/// The IKE daemon image against a real strongSwan. The container starts with no network (<c>--network none</c>) and
/// the IKE pod's restrictions (only NET_ADMIN, NET_BIND_SERVICE and NET_RAW, no privilege escalation, read-only root
/// file system, its runtime directory writable); the test then moves one end of a veth from the lab into the
/// container's network namespace, found by the container's PID, and strongSwan initiates from the other end.
/// <code>
///   container netns (isthmus-iked)                    strongSwan netns (charon, kernel-libipsec)
///   InterfaceA: AddressA ───────────── veth ───────────── InterfaceB: AddressB
/// </code>
/// strongSwan's userspace ESP claims a NAT, so the IKE SA floats to UDP 4500 and the Child SA is UDP-encapsulated.
/// </summary>
public sealed class IkedImageTests(ImageSet images)
{
    private const string Psk = "image-test-psk-0123456789abcdef";

    // Initiator                         Responder (isthmus-iked in the container)
    // HDR, SAi1, KEi, Ni, N(NAT_D)  -->
    //                               <-- HDR, SAr1, KEr, Nr, N(NAT_D)
    // HDR, SK {IDi, AUTH, SAi2, TSi, TSr}  (UDP 4500)  -->
    //                               <-- HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
    [Fact]
    [Trait("RFC", "7296 1.2")]
    public async Task Iked_container_answers_strongSwan_with_an_IKE_SA_and_a_Child_SA()
    {
        DockerCli.SkipIfCannotRun();
        NetworkLab.SkipIfCannotRun();
        string image = await images.IkedAsync();
        CancellationToken ct = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(nameof(Iked_container_answers_strongSwan_with_an_IKE_SA_and_a_Child_SA), ct);
        string manifests = Path.Combine(lab.CreateDirectory("iked"), "tunnels.yaml");
        await File.WriteAllTextAsync(manifests, Manifests(lab), ct);

        await using var iked = await TestContainer.CreateAsync(
            "iked",
            ["--network", "none", "--read-only", "--tmpfs", "/run/isthmus", "--volume", "/etc/isthmus",
             "--cap-drop", "ALL", "--cap-add", "NET_ADMIN", "--cap-add", "NET_BIND_SERVICE", "--cap-add", "NET_RAW",
             "--security-opt", "no-new-privileges"],
            image,
            ["run", "--config", "/etc/isthmus/tunnels.yaml", "--retransmit-timeout", "1", "--retransmit-tries", "3"]);
        await iked.CopyInAsync(manifests, "/etc/isthmus/tunnels.yaml");
        await iked.StartAsync();

        // The container's namespace joins the lab: the veth end of site A moves in and gets site A's address.
        string containerNamespace = await lab.AdoptNamespaceAsync("c", await iked.PidAsync(), ct);
        await lab.MoveLinkAsync(lab.InterfaceA, lab.NamespaceA, containerNamespace, ct);
        (await lab.ExecAsync(containerNamespace, "ip", "addr", "add", $"{lab.AddressA}/{lab.LinkPrefixLength}", "dev", lab.InterfaceA)).EnsureSuccess();
        (await lab.ExecAsync(containerNamespace, "ip", "link", "set", lab.InterfaceA, "up")).EnsureSuccess();

        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, SwanConfig(lab), cancellationToken: ct);
        await WaitForControlSocketAsync(iked);

        ProcessResult initiate = await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20));
        Assert.True(initiate.Succeeded, $"swanctl --initiate failed:\n{initiate.Describe()}\n{await iked.LogsAsync()}\n--- charon ---\n{swan.ReadLogTail()}");
        SwanIkeSa theirs = await swan.WaitForIkeSaAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Any(c => c.State == "INSTALLED"), TimeSpan.FromSeconds(10));
        IkeSaSnapshot ours = Assert.Single((await ListSasAsync(iked)).Sas);

        string context = $"\n{await iked.LogsAsync()}\n--- charon ---\n{swan.ReadLogTail(40)}";
        Assert.True(ours.State == "ESTABLISHED" && ours.Role == "responder", $"Isthmus reports {ours.State} as {ours.Role}{context}");
        Assert.Equal(theirs.SpiI, ours.SpiI, ignoreCase: true);
        Assert.Equal(theirs.SpiR, ours.SpiR, ignoreCase: true);
        Assert.True(theirs.Initiator);
        Assert.True(ours.NatLocal || ours.NatRemote, $"the SA must have floated to UDP 4500 behind strongSwan's claimed NAT{context}");
        Assert.Equal($"{lab.AddressA}:4500", ours.LocalEndpoint);
        Assert.Equal(4500, theirs.RemotePort);

        ChildSaSnapshot ourChild = Assert.Single(ours.ChildSas);
        SwanChildSa theirChild = theirs.ChildSas.Single(c => c.State == "INSTALLED");
        Assert.Equal(theirChild.SpiOut, ourChild.SpiIn, ignoreCase: true);
        Assert.Equal(theirChild.SpiIn, ourChild.SpiOut, ignoreCase: true);
        Assert.Equal("AES_GCM_16_128/NO_EXT_SEQ", ourChild.Algorithms);
        Assert.True(ourChild.UdpEncapsulation && theirChild.Encap, $"ESP must be UDP-encapsulated{context}");
        Assert.Equal(theirChild.RemoteTs, ourChild.LocalTs);
        Assert.Equal(theirChild.LocalTs, ourChild.RemoteTs);

        // It did all that with the IKE pod's capabilities and nothing more: NET_BIND_SERVICE (10), NET_ADMIN (12), NET_RAW (13).
        string status = (await iked.ExecAsync("cat", "/proc/1/status")).EnsureSuccess().StandardOutput;
        Assert.Matches(@"(?m)^CapEff:\s+0000000000003400\s*$", status);
        Assert.Matches(@"(?m)^Uid:\s+0\s", status);
    }

    private static async Task<DaemonSnapshot> ListSasAsync(TestContainer iked)
    {
        ProcessResult listed = (await iked.ExecAsync("/app/isthmus-iked", "list-sas", "--json")).EnsureSuccess();
        return JsonSerializer.Deserialize<DaemonSnapshot>(listed.StandardOutput, ControlServer.Json)
            ?? throw new InvalidOperationException($"list-sas printed no snapshot:\n{listed.Describe()}");
    }

    private static async Task WaitForControlSocketAsync(TestContainer iked)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        ProcessResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (!await iked.IsRunningAsync())
            {
                Assert.Fail($"isthmus-iked exited in its container\n{await iked.LogsAsync()}");
            }

            last = await iked.ExecAsync("/app/isthmus-iked", "list-sas");
            if (last.Succeeded)
            {
                return;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"isthmus-iked's control socket did not answer within 30 s:\n{last?.Describe()}\n{await iked.LogsAsync()}");
    }

    private static string Manifests(NetworkLab lab) => $"""
        apiVersion: v1
        kind: Secret
        metadata:
          name: image-test-psk
          namespace: default
        stringData:
          psk: "{Psk}"
        ---
        apiVersion: ipsec.isthmus.dev/v1alpha1
        kind: IpsecTunnel
        metadata:
          name: image-test
          namespace: default
        spec:
          startAction: Respond
          local:
            address: {lab.AddressA}
            id:
              type: FQDN
              value: "isthmus.example.com"
          peer:
            address: {lab.AddressB}
            id:
              type: FQDN
              value: "strongswan.example.com"
          authentication:
            method: Psk
            psk:
              secretRef:
                name: image-test-psk
                key: psk
          ike:
            proposals: [ "aes256gcm16-prfsha384-ecp384" ]
            dpdDelay: 0s
          child:
            name: net
            proposals: [ "aes128gcm16" ]
          trafficSelectors:
            inline:
              local:
                - cidr: {lab.LanSubnetA}
              remote:
                - cidr: {lab.LanSubnetB}
        """;

    private static string SwanConfig(NetworkLab lab) => string.Create(CultureInfo.InvariantCulture, $$"""
        connections {
          isthmus {
            version = 2
            local_addrs = {{lab.AddressB}}
            remote_addrs = {{lab.AddressA}}
            proposals = aes256gcm16-prfsha384-ecp384
            local {
              auth = psk
              id = strongswan.example.com
            }
            remote {
              auth = psk
              id = isthmus.example.com
            }
            children {
              net {
                local_ts = {{lab.LanSubnetB}}
                remote_ts = {{lab.LanSubnetA}}
                esp_proposals = aes128gcm16
                start_action = none
              }
            }
          }
        }
        secrets {
          ike-isthmus {
            id-1 = isthmus.example.com
            id-2 = strongswan.example.com
            secret = "{{Psk}}"
          }
        }
        """);
}
