using System.Globalization;
using System.Text.RegularExpressions;

namespace Isthmus.Testing.Network;

/// <summary>
/// Extracts derived keys from a charon file log written with <c>ike = 4</c> and <c>chd = 4</c> (level 3 does not
/// print them). Each key is a chunk dump:
/// <code>
/// 04:49:50 09[CHD] &lt;site|1&gt; encryption initiator key =&gt; 20 bytes @ 0x7f12c4003270
/// 04:49:50 09[CHD] &lt;site|1&gt;    0: 1E AD E4 06 7B C8 FD 7B EA 6B 04 8E AB 73 C2 42  ....{..{.k...s.B
/// 04:49:50 09[CHD] &lt;site|1&gt;   16: 89 A0 5C B8                                      ..\.
/// </code>
/// Lines of one job share a thread id (<c>09</c>), so dumps and the closing
/// <c>CHILD_SA net{1} established with SPIs 6f4b85d8_i 92d9df0c_o and TS ...</c> are matched per thread even when
/// other threads' lines interleave. The time stamp and the <c>&lt;name|uid&gt;</c> prefix are optional.
/// </summary>
public static partial class StrongSwanLogParser
{
    private static readonly string[] IkeLabels =
        ["Sk_d secret", "Sk_ai secret", "Sk_ar secret", "Sk_ei secret", "Sk_er secret", "Sk_pi secret", "Sk_pr secret"];

    private static readonly string[] ChildLabels =
        ["encryption initiator key", "encryption responder key", "integrity initiator key", "integrity responder key"];

    /// <summary>Every completed IKE key set (SK_d ... SK_pr) in log order, including those of rekeyed IKE SAs.</summary>
    public static IReadOnlyList<LoggedIkeKeys> ParseIkeKeys(string log)
    {
        var result = new List<LoggedIkeKeys>();
        var pending = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach ((LogLine line, string label, string hex) in ReadDumps(log, onOther: null))
        {
            if (Array.IndexOf(IkeLabels, label) < 0)
            {
                continue;
            }

            if (label == "Sk_d secret" || !pending.TryGetValue(line.Thread, out Dictionary<string, string>? keys))
            {
                keys = new Dictionary<string, string>(StringComparer.Ordinal);
                pending[line.Thread] = keys;
            }

            keys[label] = hex;
            if (label == "Sk_pr secret")
            {
                pending.Remove(line.Thread);
                if (keys.TryGetValue("Sk_d secret", out string? skD) && keys.TryGetValue("Sk_ei secret", out string? skEi)
                    && keys.TryGetValue("Sk_er secret", out string? skEr) && keys.TryGetValue("Sk_pi secret", out string? skPi))
                {
                    result.Add(new LoggedIkeKeys
                    {
                        IkeName = line.IkeName,
                        IkeUniqueId = line.IkeUniqueId,
                        SkD = skD,
                        SkAi = keys.GetValueOrDefault("Sk_ai secret"),
                        SkAr = keys.GetValueOrDefault("Sk_ar secret"),
                        SkEi = skEi,
                        SkEr = skEr,
                        SkPi = skPi,
                        SkPr = hex,
                    });
                }
            }
        }

        return result;
    }

    /// <summary>Every Child SA whose keys were logged and which was then established, in log order.</summary>
    public static IReadOnlyList<LoggedChildKeys> ParseChildKeys(string log)
    {
        var result = new List<LoggedChildKeys>();
        var pending = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);

        void OnOther(LogLine line)
        {
            Match established = EstablishedPattern().Match(line.Message);
            if (!established.Success || !pending.Remove(line.Thread, out Dictionary<string, string>? keys))
            {
                return;
            }

            result.Add(new LoggedChildKeys
            {
                ChildName = established.Groups["name"].Value,
                ChildUniqueId = int.Parse(established.Groups["uid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture),
                IkeName = line.IkeName,
                IkeUniqueId = line.IkeUniqueId,
                SpiIn = established.Groups["in"].Value,
                SpiOut = established.Groups["out"].Value,
                EncryptionInitiatorKey = keys.GetValueOrDefault(ChildLabels[0]),
                EncryptionResponderKey = keys.GetValueOrDefault(ChildLabels[1]),
                IntegrityInitiatorKey = keys.GetValueOrDefault(ChildLabels[2]),
                IntegrityResponderKey = keys.GetValueOrDefault(ChildLabels[3]),
            });
        }

        foreach ((LogLine line, string label, string hex) in ReadDumps(log, OnOther))
        {
            if (Array.IndexOf(ChildLabels, label) < 0)
            {
                continue;
            }

            // A key that is already present starts a new derivation (an earlier one was never installed).
            if (!pending.TryGetValue(line.Thread, out Dictionary<string, string>? keys) || keys.ContainsKey(label))
            {
                keys = new Dictionary<string, string>(StringComparer.Ordinal);
                pending[line.Thread] = keys;
            }

            keys[label] = hex;
        }

        return result;
    }

    /// <summary>Yields each complete chunk dump; passes every other line to <paramref name="onOther"/>.</summary>
    private static IEnumerable<(LogLine Line, string Label, string Hex)> ReadDumps(string log, Action<LogLine>? onOther)
    {
        var open = new Dictionary<string, (LogLine Header, string Label, int Length, List<byte> Bytes)>(StringComparer.Ordinal);
        foreach (string raw in log.Split('\n'))
        {
            Match m = LinePattern().Match(raw.TrimEnd('\r'));
            if (!m.Success)
            {
                continue;
            }

            var line = new LogLine(
                m.Groups["thread"].Value,
                m.Groups["ike"].Success ? m.Groups["ike"].Value : null,
                m.Groups["uid"].Success ? int.Parse(m.Groups["uid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : null,
                m.Groups["msg"].Value);

            if (open.TryGetValue(line.Thread, out var dump))
            {
                Match row = HexRowPattern().Match(line.Message);
                if (row.Success && int.Parse(row.Groups["off"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) == dump.Bytes.Count)
                {
                    foreach (string octet in row.Groups["hex"].Value.Split(' '))
                    {
                        if (dump.Bytes.Count < dump.Length)
                        {
                            dump.Bytes.Add(byte.Parse(octet, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        }
                    }

                    if (dump.Bytes.Count == dump.Length)
                    {
                        open.Remove(line.Thread);
                        yield return (dump.Header, dump.Label, Convert.ToHexString([.. dump.Bytes]));
                    }

                    continue;
                }

                // Anything else on this thread means the dump was cut short: drop it.
                open.Remove(line.Thread);
            }

            Match header = ChunkHeaderPattern().Match(line.Message);
            if (header.Success
                && int.TryParse(header.Groups["len"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int length)
                && length > 0)
            {
                open[line.Thread] = (line, header.Groups["label"].Value, length, new List<byte>(length));
                continue;
            }

            onOther?.Invoke(line);
        }
    }

    private readonly record struct LogLine(string Thread, string? IkeName, int? IkeUniqueId, string Message);

    // [time ]TT[GRP] [<name|uid> ]message
    [GeneratedRegex(@"^(?:\S+ )?(?<thread>\d+)\[(?<group>[A-Z]{3})\] (?:<(?:(?<ike>[^>|]*)\|)?(?<uid>\d+)> )?(?<msg>.*)$")]
    private static partial Regex LinePattern();

    [GeneratedRegex(@"^(?<label>\S.*?) => (?<len>\d+) bytes @ \S+$")]
    private static partial Regex ChunkHeaderPattern();

    [GeneratedRegex(@"^\s*(?<off>\d+): (?<hex>[0-9A-F]{2}(?: [0-9A-F]{2})*)")]
    private static partial Regex HexRowPattern();

    [GeneratedRegex(@"^(?:inbound |outbound )?CHILD_SA (?<name>.+)\{(?<uid>\d+)\} established with SPIs (?<in>[0-9a-f]+)_i(?: \([0-9a-fx]+\))? (?<out>[0-9a-f]+)_o")]
    private static partial Regex EstablishedPattern();
}
