using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>One traffic selector compiled for allocation-free matching on the packet path.</summary>
internal readonly struct CompiledSelector
{
    public CompiledSelector(IpAddressRange addresses, byte protocol, PortRange ports)
    {
        IsIPv6 = addresses.IsIPv6;
        Start = IpAddressRange.ToUInt128(addresses.Start);
        End = IpAddressRange.ToUInt128(addresses.End);
        Protocol = protocol;
        PortStart = ports.Start;
        PortEnd = ports.End;
    }

    public bool IsIPv6 { get; }

    public UInt128 Start { get; }

    public UInt128 End { get; }

    public byte Protocol { get; }

    public ushort PortStart { get; }

    public ushort PortEnd { get; }

    public bool Matches(bool isIPv6, UInt128 address, byte protocol, ushort port) =>
        isIPv6 == IsIPv6 && address >= Start && address <= End &&
        (Protocol == 0 || Protocol == protocol) &&
        (port >= PortStart && port <= PortEnd);
}

/// <summary>
/// Matching of IP packets against SA traffic selectors (RFC 4301 §5.2: the inner packet of an
/// inbound SA must lie within its selectors) and against SPD entries where rte_acl cannot look
/// (IPv4 options, IPv6 extension headers). No allocation.
/// </summary>
internal static unsafe class SelectorMatcher
{
    /// <summary>The 5-tuple of an IP packet starting at <paramref name="ip"/> with <paramref name="length"/> bytes; false when the headers are truncated or the version is unknown.</summary>
    public static bool TryReadFlow(byte* ip, uint length, out PacketTuple flow)
    {
        flow = default;
        if (length < 1)
        {
            return false;
        }

        int version = ip[0] >> 4;
        int l4;
        if (version == 4)
        {
            int ihl = (ip[0] & 0x0F) * 4;
            if (ihl < 20 || length < (uint)ihl)
            {
                return false;
            }

            flow.IsIPv6 = false;
            flow.Protocol = ip[9];
            flow.Source = ReadBigEndian(ip + 12, 4);
            flow.Destination = ReadBigEndian(ip + 16, 4);
            bool fragment = ((ip[6] & 0x1F) | ip[7]) != 0;
            l4 = fragment ? -1 : ihl;
        }
        else if (version == 6)
        {
            if (length < 40)
            {
                return false;
            }

            flow.IsIPv6 = true;
            flow.Protocol = ip[6];
            flow.Source = ReadBigEndian(ip + 8, 16);
            flow.Destination = ReadBigEndian(ip + 24, 16);
            l4 = 40;
        }
        else
        {
            return false;
        }

        if (l4 > 0 && flow.Protocol is 6 or 17 or 132 && length >= (uint)l4 + 4)
        {
            flow.SourcePort = (ushort)((ip[l4] << 8) | ip[l4 + 1]);
            flow.DestinationPort = (ushort)((ip[l4 + 2] << 8) | ip[l4 + 3]);
        }
        else if (l4 > 0 && flow.Protocol is 1 or 58 && length >= (uint)l4 + 2)
        {
            // RFC 4301 §4.4.1.1: ICMP type and code stand in for the ports.
            flow.SourcePort = ip[l4];
            flow.DestinationPort = ip[l4 + 1];
        }

        return true;
    }

    /// <summary>True when the packet's source is in one of <paramref name="remote"/> and its destination in one of <paramref name="local"/> (empty lists match anything).</summary>
    public static bool InboundWithin(in PacketTuple flow, CompiledSelector[] local, CompiledSelector[] remote) =>
        AnyMatch(remote, flow.IsIPv6, flow.Source, flow.Protocol, flow.SourcePort) &&
        AnyMatch(local, flow.IsIPv6, flow.Destination, flow.Protocol, flow.DestinationPort);

    private static bool AnyMatch(CompiledSelector[] selectors, bool isIPv6, UInt128 address, byte protocol, ushort port)
    {
        if (selectors.Length == 0)
        {
            return true;
        }

        for (int i = 0; i < selectors.Length; i++)
        {
            if (selectors[i].Matches(isIPv6, address, protocol, port))
            {
                return true;
            }
        }

        return false;
    }

    private static UInt128 ReadBigEndian(byte* bytes, int count)
    {
        UInt128 value = 0;
        for (int i = 0; i < count; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }
}

/// <summary>Addresses (big-endian integers), protocol and ports of a packet.</summary>
internal struct PacketTuple
{
    public bool IsIPv6;
    public UInt128 Source;
    public UInt128 Destination;
    public byte Protocol;
    public ushort SourcePort;
    public ushort DestinationPort;
}
