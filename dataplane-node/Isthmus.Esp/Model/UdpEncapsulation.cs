namespace Isthmus.Esp;

/// <summary>UDP encapsulation of ESP (RFC 3948): the outer UDP ports, normally 4500/4500.</summary>
public sealed record UdpEncapsulation(ushort SourcePort, ushort DestinationPort)
{
    /// <summary>The IKE NAT-T port (RFC 3948 §2, RFC 7296 §2.23).</summary>
    public const ushort NatTraversalPort = 4500;

    public static UdpEncapsulation Default { get; } = new(NatTraversalPort, NatTraversalPort);

    public override string ToString() => $"espinudp {SourcePort} {DestinationPort}";
}
