namespace Isthmus.Ike.Protocol;

/// <summary>Traffic Selector Types (RFC 7296 §3.13.1).</summary>
public enum TsType : byte
{
    Ipv4AddrRange = 7,
    Ipv6AddrRange = 8,
}
