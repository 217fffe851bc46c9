namespace Isthmus.Esp;

/// <summary>Direction of an SA, as seen from this node (XFRM's <c>dir in</c>/<c>dir out</c>).</summary>
public enum EspDirection : byte
{
    /// <summary>Packets arriving from the peer: decrypted and checked here.</summary>
    Inbound = 1,

    /// <summary>Packets leaving for the peer: encrypted here.</summary>
    Outbound = 2,
}
