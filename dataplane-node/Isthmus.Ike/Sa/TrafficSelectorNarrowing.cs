using System.Net;
using Isthmus.Ike.Config;
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

    private static int Compare(IPAddress x, IPAddress y) => AddressText.Compare(x, y);
    private static IPAddress Max(IPAddress x, IPAddress y) => Compare(x, y) >= 0 ? x : y;
    private static IPAddress Min(IPAddress x, IPAddress y) => Compare(x, y) <= 0 ? x : y;
}
