using System.Globalization;
using System.Text;
using Isthmus.Esp;

namespace Isthmus.Dataplane.Cli;

/// <summary>Text renderings of SAs, policies, counters and events, in the spirit of <c>ip xfrm</c> and <c>swanctl</c>.</summary>
public static class Tables
{
    public static string Sas(IReadOnlyList<EspSaSummary> sas)
    {
        if (sas.Count == 0)
        {
            return "no SAs installed" + Environment.NewLine;
        }

        var text = new StringBuilder();
        foreach (var sa in sas)
        {
            text.Append(CultureInfo.InvariantCulture, $"src {sa.TunnelSource} dst {sa.TunnelDestination}").AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"\tproto esp spi 0x{sa.Spi:x8} dir {(sa.Direction == EspDirection.Inbound ? "in" : "out")} mode tunnel");
            text.Append(CultureInfo.InvariantCulture, $" replay-window {sa.ReplayWindow}{(sa.ExtendedSequenceNumbers ? " flag esn" : string.Empty)}").AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"\tenc {sa.Encryption}{(sa.Integrity == EspIntegrityAlgorithm.None ? string.Empty : $" auth {sa.Integrity}")}").AppendLine();
            if (sa.Encapsulation is { } encap)
            {
                text.Append(CultureInfo.InvariantCulture, $"\tencap type espinudp sport {encap.SourcePort} dport {encap.DestinationPort}").AppendLine();
            }

            text.Append(CultureInfo.InvariantCulture, $"\tseq 0x{sa.SequenceNumber:x} lifetime {sa.Lifetime}").Append(sa.HardExpired ? " [hard expired]" : sa.SoftExpired ? " [soft expired]" : string.Empty).AppendLine();
            if (sa.LocalSelectors.Count > 0 || sa.RemoteSelectors.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"\tsel local {Selectors(sa.LocalSelectors)} remote {Selectors(sa.RemoteSelectors)}").AppendLine();
            }
        }

        return text.ToString();
    }

    public static string Policies(IReadOnlyList<EspPolicy> policies)
    {
        if (policies.Count == 0)
        {
            return "no policies installed" + Environment.NewLine;
        }

        var rows = new List<string[]> { new[] { "ID", "DIR", "PRIO", "SOURCE", "DESTINATION", "PROTO", "SPORT", "DPORT", "ACTION" } };
        rows.AddRange(policies.Select(p => new[]
        {
            p.Id.ToString(CultureInfo.InvariantCulture),
            p.Direction == PolicyDirection.Out ? "out" : "in",
            p.Priority.ToString(CultureInfo.InvariantCulture),
            p.Selector.Source.ToString(),
            p.Selector.Destination.ToString(),
            p.Selector.Protocol == 0 ? "any" : p.Selector.Protocol.ToString(CultureInfo.InvariantCulture),
            p.Selector.SourcePorts.ToString(),
            p.Selector.DestinationPorts.ToString(),
            p.Action == PolicyAction.Protect ? $"protect spi 0x{p.Spi:x8}" : p.Action == PolicyAction.Bypass ? "bypass" : "discard",
        }));
        return Grid(rows);
    }

    public static string Counters(CounterSnapshot counters)
    {
        var rows = new List<string[]> { new[] { "SPI", "DIR", "PACKETS", "BYTES", "FRAGS", "ICMP", "DROPS", "DROP REASONS" } };
        rows.AddRange(counters.Sas.Select(c => new[]
        {
            $"0x{c.Spi:x8}",
            c.Direction == EspDirection.Inbound ? "in" : "out",
            c.Packets.ToString(CultureInfo.InvariantCulture),
            c.Bytes.ToString(CultureInfo.InvariantCulture),
            c.Fragments.ToString(CultureInfo.InvariantCulture),
            c.IcmpErrors.ToString(CultureInfo.InvariantCulture),
            c.Drops.Total.ToString(CultureInfo.InvariantCulture),
            c.Drops.ToString(),
        }));
        var text = new StringBuilder(Grid(rows));
        text.AppendLine();
        text.Append(CultureInfo.InvariantCulture, $"bypassed {counters.BypassPackets} packets, to host {counters.HostPackets} packets, reassembled {counters.ReassembledPackets} packets").AppendLine();
        var global = counters.GlobalDrops.NonZero().ToArray();
        text.AppendLine(global.Length == 0 ? "no drops outside SAs" : "drops outside SAs:");
        foreach (var (reason, count) in global)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {reason,-20} {count,12}  {reason.Describe()}").AppendLine();
        }

        return text.ToString();
    }

    public static string Event(DataplaneEvent dataplaneEvent) => dataplaneEvent switch
    {
        SoftExpireEvent soft => $"{soft.Time:O} soft-expire spi 0x{soft.Spi:x8} {Dir(soft.Direction)} ({soft.Kind})",
        HardExpireEvent hard => $"{hard.Time:O} hard-expire spi 0x{hard.Spi:x8} {Dir(hard.Direction)} ({hard.Kind})",
        AcquireEvent acquire => $"{acquire.Time:O} acquire policy {acquire.PolicyId} {acquire.Flow}",
        _ => $"{dataplaneEvent.Time:O} {dataplaneEvent.GetType().Name}",
    };

    private static string Dir(EspDirection direction) => direction == EspDirection.Inbound ? "in" : "out";

    private static string Selectors(IReadOnlyList<EspTrafficSelector> selectors) =>
        selectors.Count == 0 ? "any" : string.Join(",", selectors);

    private static string Grid(List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (var row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                text.Append(c == columns - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
