namespace Isthmus.Esp;

/// <summary>
/// One direction of the SPD compiled for the packet path: entries in lookup order (priority, then
/// id), matched by a linear scan over integer ranges.
/// </summary>
internal sealed class PolicyTable
{
    private readonly Entry[] entries;

    public PolicyTable(IEnumerable<EspPolicy> policies)
    {
        Policies = policies.OrderBy(p => p.Priority).ThenBy(p => p.Id).ToArray();
        entries = Policies.Select(p => new Entry(
            p,
            p.Selector.Source.IsIPv6,
            IpAddressRange.ToUInt128(p.Selector.Source.Start),
            IpAddressRange.ToUInt128(p.Selector.Source.End),
            IpAddressRange.ToUInt128(p.Selector.Destination.Start),
            IpAddressRange.ToUInt128(p.Selector.Destination.End))).ToArray();
    }

    public static PolicyTable Empty { get; } = new([]);

    public IReadOnlyList<EspPolicy> Policies { get; }

    /// <summary>The first entry matching the flow, or null.</summary>
    public EspPolicy? Lookup(in InnerFlow flow)
    {
        foreach (ref readonly var e in entries.AsSpan())
        {
            var selector = e.Policy.Selector;
            if (e.IsIPv6 == flow.IsIPv6 &&
                flow.Source >= e.SourceStart && flow.Source <= e.SourceEnd &&
                flow.Destination >= e.DestinationStart && flow.Destination <= e.DestinationEnd &&
                (selector.Protocol == 0 || selector.Protocol == flow.Protocol) &&
                SelectorSet.PortMatches(selector.SourcePorts.Start, selector.SourcePorts.End, flow.SourcePort) &&
                SelectorSet.PortMatches(selector.DestinationPorts.Start, selector.DestinationPorts.End, flow.DestinationPort))
            {
                return e.Policy;
            }
        }

        return null;
    }

    private readonly record struct Entry(EspPolicy Policy, bool IsIPv6, UInt128 SourceStart, UInt128 SourceEnd, UInt128 DestinationStart, UInt128 DestinationEnd);
}
