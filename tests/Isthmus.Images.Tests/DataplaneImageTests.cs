using Isthmus.Images.Tests.Infrastructure;
using Isthmus.Testing.Network;

namespace Isthmus.Images.Tests;

/// <summary>
/// The dataplane image runs its DPDK engine in a container: EAL on anonymous memory (<c>--no-huge</c>, no hugepages
/// needed), two <c>net_null</c> ports and the <c>crypto_aesni_gcm</c> device, all virtual, so the image must carry
/// DPDK's libraries, the drivers EAL loads as plugins and the C shim built against them. Its control API answers
/// <c>isthmus-dataplane</c> run inside the container.
/// </summary>
public sealed class DataplaneImageTests(ImageSet images)
{
    private const string SocketPath = "/run/isthmus/dataplane.sock";
    private const string EncryptionKey = "00112233445566778899aabbccddeeff01020304";

    [Fact]
    public async Task Dataplane_container_runs_the_DPDK_engine_and_answers_its_control_API()
    {
        DockerCli.SkipIfCannotRun();
        string image = await images.DataplaneAsync();
        await using var dataplane = await TestContainer.CreateAsync(
            "dataplane",
            ["--network", "none", "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE"],
            image,
            ["serve", "--socket", SocketPath, "--backend", "dpdk",
             "--clear-port", "net_null0", "--cipher-port", "net_null1", "--crypto-device", "crypto_aesni_gcm0",
             "--cipher-next-hop-mac", "02:00:00:00:00:02", "--idle-sleep-us", "100",
             "--", "-l", "0", "--no-huge", "-m", "256", "--no-pci", "--file-prefix", "isthmus",
             "--vdev", "net_null0,no-rx=1", "--vdev", "net_null1,no-rx=1", "--vdev", "crypto_aesni_gcm0"]);
        string sasFile = Path.Combine(Path.GetTempPath(), $"{dataplane.Name}-sas.json");
        await File.WriteAllTextAsync(sasFile, SaFile, TestContext.Current.CancellationToken);
        try
        {
            await dataplane.CopyInAsync(sasFile, "/tmp/sas.json");
        }
        finally
        {
            File.Delete(sasFile);
        }

        await dataplane.StartAsync();
        ProcessResult empty = await WaitForControlApiAsync(dataplane);
        Assert.Equal("no SAs installed", empty.StandardOutput.Trim());
        string logs = await dataplane.LogsAsync();
        Assert.Contains("serving the dpdk backend", logs, StringComparison.Ordinal);
        Assert.Contains("crypto crypto_aesni_gcm0", logs, StringComparison.Ordinal);

        ProcessResult applied = await Cli(dataplane, "apply", "--file", "/tmp/sas.json");
        Assert.True(applied.Succeeded, $"{applied.Describe()}\n{await dataplane.LogsAsync()}");

        ProcessResult sas = (await Cli(dataplane, "sas")).EnsureSuccess();
        Assert.Contains("src 172.31.250.1 dst 172.31.250.2", sas.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("proto esp spi 0x0000a001 dir out mode tunnel", sas.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("proto esp spi 0x0000b001 dir in mode tunnel", sas.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("encap type espinudp sport 4500 dport 4500", sas.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(EncryptionKey, sas.StandardOutput, StringComparison.OrdinalIgnoreCase);

        ProcessResult policies = (await Cli(dataplane, "policies")).EnsureSuccess();
        Assert.Contains("protect spi 0x0000a001", policies.StandardOutput, StringComparison.Ordinal);

        ProcessResult counters = (await Cli(dataplane, "counters")).EnsureSuccess();
        string[] rows = counters.StandardOutput.Split('\n');
        Assert.Contains(rows, r => r.StartsWith("0x0000a001", StringComparison.Ordinal) && r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "out");
        Assert.Contains(rows, r => r.StartsWith("0x0000b001", StringComparison.Ordinal) && r.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] == "in");
        Assert.Contains("no drops outside SAs", counters.StandardOutput, StringComparison.Ordinal);
        Assert.True(await dataplane.IsRunningAsync(), await dataplane.LogsAsync());
    }

    /// <summary>An SA pair and its outbound policy, AES-GCM-128 in UDP (RFC 3948), in the format of <c>isthmus-dataplane apply</c>.</summary>
    private static string SaFile => $$"""
        {
          "sas": [
            { "spi": 40961, "direction": "out", "source": "172.31.250.1", "destination": "172.31.250.2", "encapsulation": "udp",
              "encryption": "AesGcm16_128", "encryptionKey": "{{EncryptionKey}}", "replayWindow": 64,
              "local": ["10.250.1.0/24"], "remote": ["10.250.2.0/24"] },
            { "spi": 45057, "direction": "in", "source": "172.31.250.2", "destination": "172.31.250.1", "encapsulation": "udp",
              "encryption": "AesGcm16_128", "encryptionKey": "{{EncryptionKey}}", "replayWindow": 64,
              "local": ["10.250.1.0/24"], "remote": ["10.250.2.0/24"] }
          ],
          "policies": [
            { "id": 1, "direction": "out", "source": "10.250.1.0/24", "destination": "10.250.2.0/24", "action": "protect", "spi": 40961, "priority": 10 }
          ]
        }
        """;

    private static Task<ProcessResult> Cli(TestContainer dataplane, params string[] args) =>
        dataplane.ExecAsync(["/app/isthmus-dataplane", .. args, "--socket", SocketPath]);

    private static async Task<ProcessResult> WaitForControlApiAsync(TestContainer dataplane)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        ProcessResult? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (!await dataplane.IsRunningAsync())
            {
                Assert.Fail($"isthmus-dataplane exited in its container\n{await dataplane.LogsAsync()}");
            }

            last = await Cli(dataplane, "sas");
            if (last.Succeeded)
            {
                return last;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"the dataplane's control API did not answer within 60 s:\n{last?.Describe()}\n{await dataplane.LogsAsync()}");
        return last!;
    }
}
