namespace Isthmus.Esp;

/// <summary>
/// What an SPD entry matches (RFC 4301 §4.4.1.1): source and destination address ranges, the IP
/// protocol (0 = any) and, for TCP, UDP and SCTP, the source and destination port ranges.
/// </summary>
public sealed record EspPolicySelector(
    IpAddressRange Source,
    IpAddressRange Destination,
    byte Protocol,
    PortRange SourcePorts,
    PortRange DestinationPorts)
{
    /// <summary>Any protocol and port between two address ranges.</summary>
    public static EspPolicySelector Between(IpAddressRange source, IpAddressRange destination) =>
        new(source, destination, 0, PortRange.Any, PortRange.Any);

    public override string ToString()
    {
        string proto = Protocol == 0 ? string.Empty : $" proto {Protocol}";
        string sport = SourcePorts.IsAny ? string.Empty : $" sport {SourcePorts}";
        string dport = DestinationPorts.IsAny ? string.Empty : $" dport {DestinationPorts}";
        return $"src {Source} dst {Destination}{proto}{sport}{dport}";
    }
}
