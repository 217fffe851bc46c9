using System.Net;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Traffic Selector payload TSi or TSr (RFC 7296 §3.13).</summary>
public sealed partial class TsPayload(bool isInitiator, IReadOnlyList<TrafficSelector> selectors) : Payload
{
    public override PayloadType Type => IsInitiator ? PayloadType.TrafficSelectorInitiator : PayloadType.TrafficSelectorResponder;
    public bool IsInitiator { get; } = isInitiator;
    public IReadOnlyList<TrafficSelector> Selectors { get; } = selectors;
}

/// <summary>
/// One traffic selector (RFC 7296 §3.13.1): an address range, an IP protocol (0 = any) and a
/// port range (0-65535 = any). IPv4 selectors are 16 octets on the wire, IPv6 40.
/// </summary>
public sealed record TrafficSelector(TsType TsType, byte IpProtocol, ushort StartPort, ushort EndPort, IPAddress StartAddress, IPAddress EndAddress);
