using System.Net;

namespace Isthmus.Esp;

/// <summary>An SA as listed by the control API: everything but the keys.</summary>
public sealed record EspSaSummary(
    uint Spi,
    EspDirection Direction,
    IPAddress TunnelSource,
    IPAddress TunnelDestination,
    UdpEncapsulation? Encapsulation,
    EspEncryptionAlgorithm Encryption,
    EspIntegrityAlgorithm Integrity,
    int ReplayWindow,
    bool ExtendedSequenceNumbers,
    EspLifetime Lifetime,
    IReadOnlyList<EspTrafficSelector> LocalSelectors,
    IReadOnlyList<EspTrafficSelector> RemoteSelectors,
    DontFragmentMode DontFragment,
    int Mtu)
{
    /// <summary>What an oversize outbound packet gets: outer fragmentation or an ICMP "too big" message.</summary>
    public PathMtuPolicy PathMtu { get; init; }

    /// <summary>TCP SYN MSS options are clamped to <see cref="Mtu"/>.</summary>
    public bool ClampTcpMss { get; init; } = true;

    /// <summary>Outbound: sequence number of the last packet sent. Inbound: highest sequence number accepted.</summary>
    public ulong SequenceNumber { get; init; }

    /// <summary>True once a soft lifetime was reached.</summary>
    public bool SoftExpired { get; init; }

    /// <summary>True once a hard lifetime was reached: the SA drops every packet.</summary>
    public bool HardExpired { get; init; }
}
