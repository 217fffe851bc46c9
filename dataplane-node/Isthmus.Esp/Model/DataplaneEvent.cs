using System.Net;

namespace Isthmus.Esp;

/// <summary>Which limit of an <see cref="EspLifetime"/> was reached.</summary>
public enum LifetimeKind : byte
{
    Bytes = 1,
    Packets = 2,
}

/// <summary>The 5-tuple of the packet that raised an acquire.</summary>
public sealed record PacketFlow(IPAddress Source, IPAddress Destination, byte Protocol, ushort SourcePort, ushort DestinationPort)
{
    public override string ToString() => $"{Source}:{SourcePort} -> {Destination}:{DestinationPort} proto {Protocol}";
}

/// <summary>An event for the IKE daemon, in the spirit of XFRM's netlink notifications (XFRM_MSG_EXPIRE, XFRM_MSG_ACQUIRE).</summary>
public abstract record DataplaneEvent(DateTimeOffset Time);

/// <summary>An SA reached a soft limit: rekey it (RFC 7296 §2.8).</summary>
public sealed record SoftExpireEvent(DateTimeOffset Time, uint Spi, EspDirection Direction, LifetimeKind Kind) : DataplaneEvent(Time);

/// <summary>An SA reached a hard limit and drops every further packet: delete or replace it.</summary>
public sealed record HardExpireEvent(DateTimeOffset Time, uint Spi, EspDirection Direction, LifetimeKind Kind) : DataplaneEvent(Time);

/// <summary>Traffic met an outbound Protect policy whose SA is not installed: negotiate one (RFC 4301 §4.4.1 "acquire").</summary>
public sealed record AcquireEvent(DateTimeOffset Time, uint PolicyId, PacketFlow Flow) : DataplaneEvent(Time);
