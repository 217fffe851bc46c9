using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// An immutable snapshot of what the packet path looks up: the SA runtimes by slot, the SPD of each
/// direction in lookup order with its rte_acl contexts, and each outbound policy's SA. The control
/// API builds a new snapshot and publishes it with one reference write; the old one's ACL contexts
/// are freed once the poll loop has passed a quiescent point.
/// </summary>
internal sealed class EngineTables : IDisposable
{
    public EngineTables(SaRuntime?[] slots, EspPolicy[] outPolicies, SaRuntime?[] outPolicySa, EspPolicy[] inPolicies, int socketId)
    {
        Slots = slots;
        OutPolicies = outPolicies;
        OutPolicySa = outPolicySa;
        InPolicies = inPolicies;
        OutSelectors = Compile(outPolicies);
        InSelectors = Compile(inPolicies);
        Out4 = AclSpd.Build(outPolicies, isIPv6: false, socketId);
        Out6 = AclSpd.Build(outPolicies, isIPv6: true, socketId);
        In4 = AclSpd.Build(inPolicies, isIPv6: false, socketId);
        In6 = AclSpd.Build(inPolicies, isIPv6: true, socketId);
        AcquireNotBefore = new long[outPolicies.Length];
    }

    public static EngineTables Empty(int socketId) => new([], [], [], [], socketId);

    /// <summary>SA runtimes by slot (the slot is stored in the native SA block); null where free.</summary>
    public SaRuntime?[] Slots { get; }

    /// <summary>Outbound SPD in lookup order (rank = index).</summary>
    public EspPolicy[] OutPolicies { get; }

    /// <summary>The SA of each outbound Protect policy, null when not installed (acquire).</summary>
    public SaRuntime?[] OutPolicySa { get; }

    public EspPolicy[] InPolicies { get; }

    public (CompiledSelector Source, CompiledSelector Destination, ushort SourcePortStart, ushort SourcePortEnd)[] OutSelectors { get; }

    public (CompiledSelector Source, CompiledSelector Destination, ushort SourcePortStart, ushort SourcePortEnd)[] InSelectors { get; }

    public AclSpd? Out4 { get; }

    public AclSpd? Out6 { get; }

    public AclSpd? In4 { get; }

    public AclSpd? In6 { get; }

    /// <summary>Per outbound policy: the Environment.TickCount64 before which no further acquire is raised.</summary>
    public long[] AcquireNotBefore { get; }

    /// <summary>Lookup without rte_acl (IPv4 options, IPv6 extension headers): the rank plus one, or 0.</summary>
    public static uint MatchLinear((CompiledSelector Source, CompiledSelector Destination, ushort SourcePortStart, ushort SourcePortEnd)[] table, in PacketTuple flow)
    {
        for (int i = 0; i < table.Length; i++)
        {
            ref var entry = ref table[i];
            if (entry.Source.Matches(flow.IsIPv6, flow.Source, flow.Protocol, 0) &&
                entry.Destination.Matches(flow.IsIPv6, flow.Destination, flow.Protocol, flow.DestinationPort) &&
                flow.SourcePort >= entry.SourcePortStart && flow.SourcePort <= entry.SourcePortEnd)
            {
                return (uint)i + 1;
            }
        }

        return 0;
    }

    public void Dispose()
    {
        Out4?.Dispose();
        Out6?.Dispose();
        In4?.Dispose();
        In6?.Dispose();
    }

    private static (CompiledSelector, CompiledSelector, ushort, ushort)[] Compile(EspPolicy[] policies)
    {
        var table = new (CompiledSelector, CompiledSelector, ushort, ushort)[policies.Length];
        for (int i = 0; i < policies.Length; i++)
        {
            EspPolicySelector s = policies[i].Selector;

            // CompiledSelector holds one address range and one port range: the destination entry
            // carries the destination ports, the source ports are kept beside it.
            table[i] = (
                new CompiledSelector(s.Source, s.Protocol, PortRange.Any),
                new CompiledSelector(s.Destination, s.Protocol, s.DestinationPorts),
                s.SourcePorts.Start,
                s.SourcePorts.End);
        }

        return table;
    }
}
