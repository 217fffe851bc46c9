using System.Net;
using System.Numerics;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// Traffic selector narrowing (RFC 7296 §2.9): the responder answers with the intersection of
/// what the initiator proposed and what its own policy allows; the initiator accepts an answer
/// only if it is a subset of what it proposed.
/// </summary>
public static class TrafficSelectorNarrowing
{
    /// <summary>Intersects every proposed selector with every configured one; empty means TS_UNACCEPTABLE.</summary>
    public static List<TrafficSelector> Narrow(IReadOnlyList<TrafficSelector> proposed, IReadOnlyList<TrafficSelector> configured)
    {
        var result = new List<TrafficSelector>();
        foreach (var p in proposed)
        {
            foreach (var c in configured)
            {
                var i = Intersect(p, c);
                if (i is not null && !result.Contains(i)) result.Add(i);
            }
        }
        return result;
    }

    /// <summary>True when every selector in <paramref name="answer"/> lies inside one of <paramref name="proposed"/>.</summary>
    public static bool IsSubsetOf(IReadOnlyList<TrafficSelector> answer, IReadOnlyList<TrafficSelector> proposed) =>
        answer.Count > 0 && answer.All(a => proposed.Any(p => Intersect(a, p) == a));

    /// <summary>The intersection of two selectors, or null when they share nothing.</summary>
    public static TrafficSelector? Intersect(TrafficSelector a, TrafficSelector b)
    {
        if (a.TsType != b.TsType) return null;
        byte proto;
        if (a.IpProtocol == 0) proto = b.IpProtocol;
        else if (b.IpProtocol == 0 || b.IpProtocol == a.IpProtocol) proto = a.IpProtocol;
        else return null;

        var startPort = Math.Max(a.StartPort, b.StartPort);
        var endPort = Math.Min(a.EndPort, b.EndPort);
        if (startPort > endPort) return null;

        var start = Max(a.StartAddress, b.StartAddress);
        var end = Min(a.EndAddress, b.EndAddress);
        if (Compare(start, end) > 0) return null;
        return new TrafficSelector(a.TsType, proto, startPort, endPort, start, end);
    }

    /// <summary>A selector for exactly one host address (any protocol and port).</summary>
    public static TrafficSelector ForHost(IPAddress address) => new(
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? TsType.Ipv6AddrRange : TsType.Ipv4AddrRange,
        0, 0, 65535, address, address);

    public static int Compare(IPAddress x, IPAddress y) => ToNumber(x).CompareTo(ToNumber(y));

    private static IPAddress Max(IPAddress x, IPAddress y) => Compare(x, y) >= 0 ? x : y;
    private static IPAddress Min(IPAddress x, IPAddress y) => Compare(x, y) <= 0 ? x : y;

    private static BigInteger ToNumber(IPAddress a) => new(a.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    /// <summary>Formats a selector the way strongSwan prints it: a CIDR where the range is one, else a range; then [proto/port].</summary>
    public static string Format(TrafficSelector ts)
    {
        var bytes = ts.StartAddress.GetAddressBytes();
        var endBytes = ts.EndAddress.GetAddressBytes();
        string addr = TryPrefix(bytes, endBytes, out var prefix)
            ? $"{ts.StartAddress}/{prefix}"
            : $"{ts.StartAddress}..{ts.EndAddress}";
        if (ts.IpProtocol == 0 && ts.StartPort == 0 && ts.EndPort == 65535) return addr;
        var proto = ts.IpProtocol switch { 0 => "", 1 => "icmp", 6 => "tcp", 17 => "udp", 58 => "ipv6-icmp", var n => n.ToString() };
        var port = ts.StartPort == 0 && ts.EndPort == 65535 ? "" : ts.StartPort == ts.EndPort ? $"{ts.StartPort}" : $"{ts.StartPort}-{ts.EndPort}";
        return $"{addr}[{proto}{(port.Length > 0 ? "/" + port : "")}]";
    }

    private static bool TryPrefix(byte[] start, byte[] end, out int prefix)
    {
        var bits = start.Length * 8;
        var s = new BigInteger(start, true, true);
        var e = new BigInteger(end, true, true);
        for (prefix = 0; prefix <= bits; prefix++)
        {
            var hostBits = bits - prefix;
            var mask = (BigInteger.One << hostBits) - 1;
            if ((s & mask) == 0 && (s | mask) == e) return true;
        }
        return false;
    }
}
