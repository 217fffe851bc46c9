using Isthmus.Dataplane.Hosting;
using Isthmus.Dataplane.Protos;
using Isthmus.Esp;
using Isthmus.Testing.Network;

namespace Isthmus.Interop.Tests;

/// <summary>
/// The IKE daemon installs what it negotiates with strongSwan into an Isthmus dataplane over the
/// dataplane's control socket: both ESP SAs with the derived keys, and Protect policies from the
/// narrowed selectors; a rekey replaces the SAs and repoints the policies; a delete removes them.
/// </summary>
[Collection("netns")]
public class DataplaneInstallTests
{
    [Fact]
    [Trait("RFC", "7296 2.17")]
    public async Task Negotiated_Child_SAs_are_installed_rekeyed_and_removed_in_the_dataplane()
    {
        NetworkLab.SkipIfCannotRun();
        var ct = TestContext.Current.CancellationToken;
        await using var lab = await NetworkLab.CreateAsync(nameof(Negotiated_Child_SAs_are_installed_rekeyed_and_removed_in_the_dataplane), ct);
        var socket = Path.Combine(lab.CreateDirectory("dataplane"), "dataplane.sock");
        await using var backend = new ManagedEspBackend();
        await using var server = await DataplaneServer.StartAsync(socket, backend, cancellationToken: ct);
        using var client = new DataplaneClient(socket);

        const string ike = "aes256gcm16-prfsha384-ecp384", esp = "aes128gcm16";
        await using var swan = await StrongSwan.StartAsync(lab, lab.NamespaceB, IkeInteropTests.SwanConfig(lab, ike, esp, initiate: false), cancellationToken: ct);
        await using var isthmus = IsthmusDaemon.Start(lab, lab.NamespaceA, IkeInteropTests.Manifests(lab, ike, esp, "Respond"), lab.AddressA,
            "--dataplane", socket);
        await IkeInteropTests.WaitListening(isthmus);
        Assert.True((await swan.InitiateAsync("net", "isthmus", TimeSpan.FromSeconds(20))).Succeeded, isthmus.Log);
        var ours = await isthmus.WaitForAsync(s => s.State == "ESTABLISHED" && s.ChildSas.Count > 0, TimeSpan.FromSeconds(30));
        var child = ours.ChildSas[0];

        var sas = await WaitFor(() => client.ListSasAsync(ct), l => l.Count == 2, isthmus);
        var inbound = sas.Single(s => s.Direction == EspDirection.Inbound);
        var outbound = sas.Single(s => s.Direction == EspDirection.Outbound);
        Assert.Equal(child.SpiIn, inbound.Spi.ToString("x8"));
        Assert.Equal(child.SpiOut, outbound.Spi.ToString("x8"));
        Assert.Equal(EspEncryptionAlgorithm.AesGcm16_128, outbound.Encryption);
        Assert.Equal(lab.AddressA, outbound.TunnelSource); // the responder's own address

        Assert.Equal(lab.AddressB, outbound.TunnelDestination);
        Assert.NotNull(outbound.Encapsulation); // kernel-libipsec claims a NAT: ESP in UDP 4500
        // SAs go in first, then the policies that point at them.
        var policies = await WaitFor(() => client.ListPoliciesAsync(ct), l => l.Count == 2, isthmus);
        Assert.Contains(policies, p => p.Direction == PolicyDirection.Out && p.Spi == outbound.Spi);
        Assert.Contains(policies, p => p.Direction == PolicyDirection.In && p.Spi == inbound.Spi);

        // strongSwan rekeys the Child SA: the dataplane ends with only the new pair, policies repointed.
        Assert.True((await swan.RekeyChildAsync("net")).Succeeded);
        var rekeyed = await isthmus.WaitForAsync(s => s.ChildSas.Count == 1 && s.ChildSas[0].SpiIn != child.SpiIn, TimeSpan.FromSeconds(15));
        var newIn = Convert.ToUInt32(rekeyed.ChildSas[0].SpiIn, 16);
        sas = await WaitFor(() => client.ListSasAsync(ct), l => l.Count == 2 && l.Any(s => s.Spi == newIn), isthmus);
        policies = await WaitFor(() => client.ListPoliciesAsync(ct), l => l.Count == 2 && l.Any(p => p.Spi == newIn), isthmus);
        Assert.Contains(policies, p => p.Direction == PolicyDirection.In && p.Spi == newIn);

        // strongSwan deletes the IKE SA: the dataplane is emptied.
        Assert.True((await swan.TerminateIkeAsync("isthmus")).Succeeded);
        await WaitFor(() => client.ListSasAsync(ct), l => l.Count == 0, isthmus);
        await WaitFor(() => client.ListPoliciesAsync(ct), l => l.Count == 0, isthmus);
        Assert.DoesNotContain("encr", isthmus.Log.Split('\n').Where(l => l.Contains("dataplane")).Aggregate("", (a, b) => a + b));
    }

    private static async Task<IReadOnlyList<T>> WaitFor<T>(Func<Task<IReadOnlyList<T>>> read, Func<IReadOnlyList<T>, bool> done, IsthmusDaemon isthmus)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"dataplane state not reached; last: {string.Join(", ", value)}\n{isthmus.Log}");
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
