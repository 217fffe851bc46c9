namespace Isthmus.Esp;

/// <summary>What the packet path did with a packet.</summary>
public enum PacketAction : byte
{
    /// <summary>Processed: the output buffer holds the packet to transmit (ESP toward the peer, or the decrypted inner packet toward the LAN).</summary>
    Forward = 1,

    /// <summary>Passed unchanged (a Bypass policy): transmit the input packet as it is.</summary>
    Bypass = 2,

    /// <summary>For the host stack: IKE behind the non-ESP marker, or a NAT keepalive on UDP 4500.</summary>
    ToHost = 3,

    /// <summary>Dropped; <see cref="PacketResult.Reason"/> says why and was counted.</summary>
    Drop = 4,

    /// <summary>
    /// Dropped and counted like <see cref="Drop"/>, and the output buffer holds an ICMP error about it
    /// (fragmentation needed / Packet Too Big) to send back on the side the packet came from.
    /// </summary>
    Reply = 5,
}

/// <summary>The outcome of one packet: an action, the drop reason (for drops) and the SA involved (0 when none).</summary>
public readonly record struct PacketResult(PacketAction Action, DropReason Reason, uint Spi)
{
    /// <summary>
    /// For <see cref="PacketAction.Forward"/> outbound: 0 when the output holds one whole packet, else
    /// the number of outer IPv4 fragments laid end to end in it (each delimited by its total length).
    /// </summary>
    public int Fragments { get; init; }

    public static PacketResult Dropped(DropReason reason, uint spi = 0) => new(PacketAction.Drop, reason, spi);
}
