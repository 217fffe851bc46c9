using System.Net.Sockets;

namespace Isthmus.Esp;

/// <summary>
/// A list of traffic selectors compiled to integer ranges, for allocation-free matching on the
/// packet path. An empty set matches everything.
/// </summary>
internal sealed class SelectorSet
{
    private readonly Entry[] entries;

    public SelectorSet(IReadOnlyList<EspTrafficSelector> selectors)
    {
        entries = new Entry[selectors.Count];
        for (int i = 0; i < selectors.Count; i++)
        {
            var s = selectors[i];
            entries[i] = new Entry(
                s.Addresses.Start.AddressFamily == AddressFamily.InterNetworkV6,
                IpAddressRange.ToUInt128(s.Addresses.Start),
                IpAddressRange.ToUInt128(s.Addresses.End),
                s.Protocol,
                s.Ports.Start,
                s.Ports.End);
        }
    }

    public bool IsAny => entries.Length == 0;

    /// <summary>True when some selector covers the address, protocol and port.</summary>
    public bool Matches(bool isIPv6, UInt128 address, byte protocol, int port)
    {
        if (entries.Length == 0)
        {
            return true;
        }

        foreach (ref readonly var e in entries.AsSpan())
        {
            if (e.IsIPv6 == isIPv6 && address >= e.Start && address <= e.End &&
                (e.Protocol == 0 || e.Protocol == protocol) &&
                PortMatches(e.PortStart, e.PortEnd, port))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool PortMatches(ushort start, ushort end, int port) =>
        (start == 0 && end == ushort.MaxValue) || (port >= start && port <= end);

    private readonly record struct Entry(bool IsIPv6, UInt128 Start, UInt128 End, byte Protocol, ushort PortStart, ushort PortEnd);
}
