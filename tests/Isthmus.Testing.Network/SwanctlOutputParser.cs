using System.Globalization;

namespace Isthmus.Testing.Network;

/// <summary>
/// Parses <c>swanctl ... --pretty</c> output. The pretty form puts one item per line, so values may contain
/// spaces (distinguished names do), unlike <c>--raw</c>:
/// <code>
/// list-sa event {
///   site {
///     uniqueid = 1
///     local-ts = [
///       10.7.1.0/24
///     ]
///     child-sas {
///       net-1 { ... }
///     }
///   }
/// }
/// </code>
/// </summary>
public static class SwanctlOutputParser
{
    /// <summary>Parses every top-level message (e.g. <c>list-sa event</c>, <c>list-sas reply</c>).</summary>
    /// <exception cref="FormatException">The text is not well-formed pretty vici output.</exception>
    public static IReadOnlyList<ViciSection> ParsePretty(string text)
    {
        var messages = new List<ViciSection>();
        var stack = new Stack<ViciSection>();
        string? listKey = null;
        List<string>? list = null;
        string[] lines = text.Split('\n');
        for (int number = 1; number <= lines.Length; number++)
        {
            string line = lines[number - 1].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (list is not null)
            {
                if (line == "]")
                {
                    stack.Peek().Lists[listKey!] = list;
                    list = null;
                    listKey = null;
                }
                else
                {
                    list.Add(line);
                }

                continue;
            }

            int equals = line.IndexOf(" =", StringComparison.Ordinal);
            if (equals > 0 && (line.Length == equals + 2 || line[equals + 2] == ' '))
            {
                if (stack.Count == 0)
                {
                    throw new FormatException($"line {number}: key/value outside a section");
                }

                string key = line[..equals];
                string value = line.Length > equals + 3 ? line[(equals + 3)..] : "";
                if (value == "[")
                {
                    listKey = key;
                    list = [];
                }
                else
                {
                    stack.Peek().Values[key] = value;
                }
            }
            else if (line == "}")
            {
                if (stack.Count == 0)
                {
                    throw new FormatException($"line {number}: '}}' without an open section");
                }

                stack.Pop();
            }
            else if (line.EndsWith('{') || line.EndsWith("{}", StringComparison.Ordinal))
            {
                bool empty = line.EndsWith("{}", StringComparison.Ordinal);
                var section = new ViciSection { Name = line[..line.LastIndexOf('{')].TrimEnd() };
                if (stack.Count == 0)
                {
                    messages.Add(section);
                }
                else
                {
                    stack.Peek().Sections.Add(section);
                }

                if (!empty)
                {
                    stack.Push(section);
                }
            }
            else
            {
                throw new FormatException($"line {number}: unrecognised line in swanctl --pretty output");
            }
        }

        if (stack.Count != 0 || list is not null)
        {
            throw new FormatException("swanctl --pretty output ended inside a section or list");
        }

        return messages;
    }

    /// <summary>Parses <c>swanctl --list-sas --pretty</c> into IKE SAs with their Child SAs.</summary>
    /// <exception cref="FormatException">The text is malformed or a numeric field does not parse.</exception>
    public static IReadOnlyList<SwanIkeSa> ParseListSas(string text)
    {
        var result = new List<SwanIkeSa>();
        foreach (ViciSection message in ParsePretty(text))
        {
            if (message.Name != "list-sa event")
            {
                continue;
            }

            foreach (ViciSection ike in message.Sections)
            {
                result.Add(ToIkeSa(ike));
            }
        }

        return result;
    }

    private static SwanIkeSa ToIkeSa(ViciSection s) => new()
    {
        Name = s.Name,
        UniqueId = RequiredInt(s, "uniqueid"),
        Version = OptionalInt(s, "version") ?? 0,
        State = s.Get("state") ?? throw new FormatException($"IKE SA '{s.Name}' has no state"),
        LocalHost = s.Get("local-host"),
        LocalPort = OptionalInt(s, "local-port"),
        LocalId = s.Get("local-id"),
        RemoteHost = s.Get("remote-host"),
        RemotePort = OptionalInt(s, "remote-port"),
        RemoteId = s.Get("remote-id"),
        Initiator = Flag(s, "initiator"),
        SpiI = s.Get("initiator-spi"),
        SpiR = s.Get("responder-spi"),
        NatLocal = Flag(s, "nat-local"),
        NatRemote = Flag(s, "nat-remote"),
        NatFake = Flag(s, "nat-fake"),
        NatAny = Flag(s, "nat-any"),
        EncrAlg = s.Get("encr-alg"),
        EncrKeysize = OptionalInt(s, "encr-keysize"),
        IntegAlg = s.Get("integ-alg"),
        IntegKeysize = OptionalInt(s, "integ-keysize"),
        PrfAlg = s.Get("prf-alg"),
        DhGroup = s.Get("dh-group"),
        EstablishedSeconds = OptionalLong(s, "established"),
        ChildSas = s.Section("child-sas")?.Sections.Select(ToChildSa).ToArray() ?? [],
        Values = new Dictionary<string, string>(s.Values, StringComparer.Ordinal),
    };

    private static SwanChildSa ToChildSa(ViciSection s) => new()
    {
        // The section is named "<name>-<uniqueid>"; the name key is authoritative.
        Name = s.Get("name") ?? s.Name,
        UniqueId = RequiredInt(s, "uniqueid"),
        ReqId = OptionalInt(s, "reqid"),
        State = s.Get("state") ?? throw new FormatException($"Child SA '{s.Name}' has no state"),
        Mode = s.Get("mode"),
        Protocol = s.Get("protocol"),
        Encap = Flag(s, "encap"),
        SpiIn = s.Get("spi-in"),
        SpiOut = s.Get("spi-out"),
        EncrAlg = s.Get("encr-alg"),
        EncrKeysize = OptionalInt(s, "encr-keysize"),
        IntegAlg = s.Get("integ-alg"),
        IntegKeysize = OptionalInt(s, "integ-keysize"),
        DhGroup = s.Get("dh-group"),
        Esn = s.Get("esn") is "1" or "yes",
        BytesIn = OptionalLong(s, "bytes-in") ?? 0,
        BytesOut = OptionalLong(s, "bytes-out") ?? 0,
        PacketsIn = OptionalLong(s, "packets-in") ?? 0,
        PacketsOut = OptionalLong(s, "packets-out") ?? 0,
        LocalTs = s.GetList("local-ts").ToArray(),
        RemoteTs = s.GetList("remote-ts").ToArray(),
        Values = new Dictionary<string, string>(s.Values, StringComparer.Ordinal),
    };

    private static bool Flag(ViciSection s, string key) => s.Get(key) == "yes";

    private static int RequiredInt(ViciSection s, string key) =>
        OptionalInt(s, key) ?? throw new FormatException($"section '{s.Name}' has no '{key}'");

    private static int? OptionalInt(ViciSection s, string key)
    {
        long? value = OptionalLong(s, key);
        return value is null ? null
            : value is >= int.MinValue and <= int.MaxValue ? (int)value.Value
            : throw new FormatException($"'{key}' in '{s.Name}' is out of range");
    }

    private static long? OptionalLong(ViciSection s, string key)
    {
        string? text = s.Get(key);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new FormatException($"'{key}' in '{s.Name}' is not a number");
    }
}
