using System.Globalization;
using System.Net;
using System.Text.Json;
using Isthmus.Esp;

namespace Isthmus.Dataplane.Cli;

/// <summary>
/// Statically keyed SAs and policies for <c>isthmus-dataplane apply --file FILE</c> (like
/// <c>ip xfrm state add</c>/<c>policy add</c>, for labs and for sites without IKE). The file is JSON:
/// <code>
/// { "sas": [ { "spi": 4096, "direction": "out", "source": "172.31.0.1", "destination": "172.31.0.2",
///              "encapsulation": "udp", "encryption": "AesGcm16_128", "encryptionKey": "HEX",
///              "integrity": "None", "integrityKey": "", "replayWindow": 1024,
///              "local": ["10.1.0.0/24"], "remote": ["10.2.0.0/24"] } ],
///   "policies": [ { "id": 1, "direction": "out", "source": "10.1.0.0/24", "destination": "10.2.0.0/24",
///                   "action": "protect", "spi": 4096, "priority": 10 } ] }
/// </code>
/// Algorithm names are the <see cref="EspEncryptionAlgorithm"/> and <see cref="EspIntegrityAlgorithm"/>
/// members; "encapsulation" is "none" (IP protocol 50) or "udp" (RFC 3948, ports 4500). Errors name the
/// field, never a key's value.
/// </summary>
public sealed record SaFile(IReadOnlyList<EspSa> Sas, IReadOnlyList<EspPolicy> Policies)
{
    /// <summary>Parses the file's text; returns null and the first problem when it is unusable.</summary>
    public static SaFile? Parse(string json, out string error)
    {
        ArgumentNullException.ThrowIfNull(json);
        error = string.Empty;
        var sas = new List<EspSa>();
        var policies = new List<EspPolicy>();
        string where = "file";
        try
        {
            using JsonDocument document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the file must hold a JSON object with \"sas\" and/or \"policies\"";
                return null;
            }

            int index = 0;
            foreach (JsonElement sa in Array(root, "sas"))
            {
                where = $"sas[{index++}]";
                sas.Add(ReadSa(sa, where));
            }

            index = 0;
            foreach (JsonElement policy in Array(root, "policies"))
            {
                where = $"policies[{index++}]";
                policies.Add(ReadPolicy(policy, where));
            }
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            error = e is FieldException ? e.Message : $"{where}: {e.Message}";
            return null;
        }

        return new SaFile(sas, policies);
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement list)
            ? list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : throw new FieldException($"\"{name}\" must be an array")
            : [];

    private static EspSa ReadSa(JsonElement e, string where)
    {
        string direction = Text(e, "direction", where);
        string encapsulation = OptionalText(e, "encapsulation") ?? "none";
        if (encapsulation is not ("none" or "udp"))
        {
            throw new FieldException($"{where}.encapsulation must be \"none\" or \"udp\"");
        }

        return new EspSa
        {
            Spi = Number(e, "spi", where),
            Direction = direction switch
            {
                "out" or "outbound" => EspDirection.Outbound,
                "in" or "inbound" => EspDirection.Inbound,
                _ => throw new FieldException($"{where}.direction must be \"in\" or \"out\""),
            },
            TunnelSource = Address(e, "source", where),
            TunnelDestination = Address(e, "destination", where),
            Encapsulation = encapsulation == "udp" ? UdpEncapsulation.Default : null,
            Encryption = Enum.TryParse(Text(e, "encryption", where), ignoreCase: true, out EspEncryptionAlgorithm encryption) && Enum.IsDefined(encryption)
                ? encryption
                : throw new FieldException($"{where}.encryption must be one of {string.Join(", ", Enum.GetNames<EspEncryptionAlgorithm>())}"),
            EncryptionKey = Key(e, "encryptionKey", where),
            Integrity = Enum.TryParse(OptionalText(e, "integrity") ?? "None", ignoreCase: true, out EspIntegrityAlgorithm integrity) && Enum.IsDefined(integrity)
                ? integrity
                : throw new FieldException($"{where}.integrity must be one of {string.Join(", ", Enum.GetNames<EspIntegrityAlgorithm>())}"),
            IntegrityKey = OptionalText(e, "integrityKey") is null ? [] : Key(e, "integrityKey", where),
            ReplayWindow = e.TryGetProperty("replayWindow", out JsonElement window) ? window.GetInt32() : 64,
            ExtendedSequenceNumbers = e.TryGetProperty("esn", out JsonElement esn) && esn.GetBoolean(),
            LocalSelectors = Selectors(e, "local", where),
            RemoteSelectors = Selectors(e, "remote", where),
        };
    }

    private static EspPolicy ReadPolicy(JsonElement e, string where)
    {
        PolicyDirection direction = Text(e, "direction", where) switch
        {
            "out" => PolicyDirection.Out,
            "in" => PolicyDirection.In,
            _ => throw new FieldException($"{where}.direction must be \"in\" or \"out\""),
        };
        PolicyAction action = Text(e, "action", where) switch
        {
            "protect" => PolicyAction.Protect,
            "bypass" => PolicyAction.Bypass,
            "discard" => PolicyAction.Discard,
            _ => throw new FieldException($"{where}.action must be \"protect\", \"bypass\" or \"discard\""),
        };
        var selector = EspPolicySelector.Between(Range(Text(e, "source", where), $"{where}.source"), Range(Text(e, "destination", where), $"{where}.destination"));
        return new EspPolicy(Number(e, "id", where), direction, selector, action, e.TryGetProperty("spi", out _) ? Number(e, "spi", where) : 0, e.TryGetProperty("priority", out _) ? Number(e, "priority", where) : 100);
    }

    private static string Text(JsonElement e, string name, string where) =>
        OptionalText(e, name) ?? throw new FieldException($"{where}.{name} is required");

    private static string? OptionalText(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static uint Number(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out JsonElement value))
        {
            throw new FieldException($"{where}.{name} is required");
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out uint number))
        {
            return number;
        }

        string? text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) &&
            uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw new FieldException($"{where}.{name} must be a 32-bit number (or a \"0x...\" string)");
    }

    private static IPAddress Address(JsonElement e, string name, string where) =>
        IPAddress.TryParse(Text(e, name, where), out IPAddress? address) ? address : throw new FieldException($"{where}.{name} is not an IP address");

    private static byte[] Key(JsonElement e, string name, string where)
    {
        try
        {
            return Convert.FromHexString(Text(e, name, where));
        }
        catch (FormatException)
        {
            throw new FieldException($"{where}.{name} is not hexadecimal");
        }
    }

    private static IpAddressRange Range(string text, string where)
    {
        try
        {
            return IpAddressRange.Parse(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new FieldException($"{where} '{text}' is not an address, range or prefix");
        }
    }

    private static EspTrafficSelector[] Selectors(JsonElement e, string name, string where)
    {
        if (!e.TryGetProperty(name, out JsonElement list))
        {
            return [];
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new FieldException($"{where}.{name} must be an array of prefixes or ranges");
        }

        return list.EnumerateArray().Select((s, i) => EspTrafficSelector.For(Range(s.GetString() ?? string.Empty, $"{where}.{name}[{i}]"))).ToArray();
    }

    /// <summary>A problem already described with its field.</summary>
    private sealed class FieldException(string message) : FormatException(message);
}
