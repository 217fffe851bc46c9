using System.Net;
using Isthmus.Ike.Messages;

namespace Isthmus.Ike.Config;

/// <summary>
/// Traffic selectors in the notation strongSwan prints: <c>10.1.0.0/16</c> for a prefix,
/// <c>10.0.0.1..10.0.0.9</c> for other ranges, followed by <c>[tcp/443]</c>, <c>[udp/1000-2000]</c> or
/// <c>[icmp]</c> when the protocol or ports are restricted (protocols by name where common, else by number).
/// </summary>
public static class TrafficSelectorText
{
    public static string Format(TrafficSelector selector)
    {
        var text = FormatRange(selector.StartAddress, selector.EndAddress);
        var anyPort = selector.StartPort == 0 && selector.EndPort == ushort.MaxValue;
        if (selector.IpProtocol == 0 && anyPort)
        {
            return text;
        }
        var protocol = ProtocolName(selector.IpProtocol);
        if (anyPort)
        {
            return $"{text}[{protocol}]";
        }
        var ports = selector.StartPort == selector.EndPort ? $"{selector.StartPort}" : $"{selector.StartPort}-{selector.EndPort}";
        return $"{text}[{protocol}/{ports}]";
    }

    /// <summary>The name strongSwan uses for common IP protocols, else the number.</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        0 => "any",
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        47 => "gre",
        58 => "ipv6-icmp",
        132 => "sctp",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string FormatRange(IPAddress start, IPAddress end)
    {
        var a = start.GetAddressBytes();
        var b = end.GetAddressBytes();
        if (a.Length == b.Length)
        {
            var bits = a.Length * 8;
            var prefix = 0;
            while (prefix < bits && Bit(a, prefix) == Bit(b, prefix))
            {
                prefix++;
            }
            var isPrefix = true;
            for (var i = prefix; i < bits && isPrefix; i++)
            {
                isPrefix = !Bit(a, i) && Bit(b, i);
            }
            if (isPrefix)
            {
                return $"{start}/{prefix}";
            }
        }
        return $"{start}..{end}";
    }

    private static bool Bit(byte[] bytes, int index) => (bytes[index / 8] & (0x80 >> (index % 8))) != 0;
}
