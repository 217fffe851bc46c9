using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Isthmus.Testing.Network;

namespace Isthmus.Dataplane.E2ETests.Infrastructure;

/// <summary>Traffic and capture helpers of the end-to-end tests: tcpdump on a WAN link, iperf3 and ping results.</summary>
public static partial class LabTraffic
{
    /// <summary>Starts tcpdump on <paramref name="link"/> in <paramref name="ns"/> (headers only) and returns once it listens.</summary>
    public static async Task<LabProcess> StartCaptureAsync(DataplaneLab lab, string ns, string link, string file, CancellationToken ct)
    {
        LabProcess tcpdump = lab.Lab.StartProcess(ns, "tcpdump", "-i", link, "-n", "-p", "-U", "-s", "128", "-Z", "root", "-w", file);
        await WaitForOutputAsync(tcpdump, "listening on", TimeSpan.FromSeconds(10), ct);
        return tcpdump;
    }

    /// <summary>The frames of capture <paramref name="file"/> that match the pcap <paramref name="filter"/>, one line each.</summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(DataplaneLab lab, string ns, string file, string filter)
    {
        ProcessResult read = await lab.Lab.ExecAsync(ns, "tcpdump", "-n", "-r", file, filter);
        Assert.True(read.Succeeded, read.Describe());
        return read.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>How many frames of capture <paramref name="file"/> match the pcap <paramref name="filter"/>.</summary>
    public static async Task<int> CountAsync(DataplaneLab lab, string ns, string file, string filter) =>
        (await ReadAsync(lab, ns, file, filter)).Count;

    /// <summary>The SPIs tcpdump decoded from ESP headers (<c>ESP(spi=0x...,seq=...)</c>) in <paramref name="lines"/>.</summary>
    public static IReadOnlySet<uint> EspSpis(IEnumerable<string> lines) =>
        lines.SelectMany(line => EspSpi().Matches(line))
            .Select(m => uint.Parse(m.Groups[1].ValueSpan, NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToHashSet();

    public static async Task WaitForOutputAsync(LabProcess process, string text, TimeSpan timeout, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!process.Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(process.HasExited, $"{process} exited with {process.ExitCode}:\n{process.Output}");
            Assert.True(DateTime.UtcNow < deadline, $"{process} did not print '{text}' within {timeout.TotalSeconds} s:\n{process.Output}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Sender and receiver rates, retransmits and received bytes of an <c>iperf3 -J</c> TCP run.</summary>
    public static (double SentBitsPerSecond, double ReceivedBitsPerSecond, long Retransmits, long Bytes) ParseIperf(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement end = document.RootElement.GetProperty("end");
        JsonElement sent = end.GetProperty("sum_sent");
        JsonElement received = end.GetProperty("sum_received");
        long retransmits = sent.TryGetProperty("retransmits", out JsonElement r) ? r.GetInt64() : 0;
        return (sent.GetProperty("bits_per_second").GetDouble(), received.GetProperty("bits_per_second").GetDouble(), retransmits, received.GetProperty("bytes").GetInt64());
    }

    /// <summary>Transmitted and received counts from ping's summary line (<c>N packets transmitted, M received</c>).</summary>
    public static (int Transmitted, int Received) ParsePing(string output)
    {
        Match summary = PingSummary().Match(output);
        Assert.True(summary.Success, $"no ping summary in:\n{output}");
        return (int.Parse(summary.Groups[1].ValueSpan, CultureInfo.InvariantCulture), int.Parse(summary.Groups[2].ValueSpan, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"ESP\(spi=0x([0-9a-f]{1,8}),")]
    private static partial Regex EspSpi();

    [GeneratedRegex(@"(\d+) packets transmitted, (\d+) received")]
    private static partial Regex PingSummary();
}
