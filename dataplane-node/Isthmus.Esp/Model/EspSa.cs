using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Isthmus.Esp;

/// <summary>
/// One ESP security association in tunnel mode (RFC 4303, RFC 4301 §4.4.2), as installed by the IKE
/// daemon: XFRM's <c>ip xfrm state</c>. An SA is identified by its SPI and direction. Keys are held
/// here but never appear in <see cref="ToString"/>, in <see cref="Validate"/> messages or in
/// <see cref="EspSaSummary"/>.
/// </summary>
public sealed class EspSa
{
    /// <summary>Largest supported anti-replay window, in packets.</summary>
    public const int MaxReplayWindow = 65536;

    private readonly byte[] encryptionKey = [];
    private readonly byte[] integrityKey = [];

    /// <summary>Security Parameters Index (host order). 0-255 are reserved (RFC 4303 §2.1).</summary>
    public required uint Spi { get; init; }

    public required EspDirection Direction { get; init; }

    /// <summary>Outer source address: this node for outbound SAs, the peer for inbound ones.</summary>
    public required IPAddress TunnelSource { get; init; }

    /// <summary>Outer destination address: the peer for outbound SAs, this node for inbound ones.</summary>
    public required IPAddress TunnelDestination { get; init; }

    /// <summary>UDP encapsulation (RFC 3948), or null for plain ESP (IP protocol 50).</summary>
    public UdpEncapsulation? Encapsulation { get; init; }

    public required EspEncryptionAlgorithm Encryption { get; init; }

    /// <summary>Encryption key material, including the trailing 4-octet salt/nonce where the algorithm has one. Copied on set.</summary>
    public required ReadOnlyMemory<byte> EncryptionKey
    {
        get => encryptionKey;
        init => encryptionKey = value.ToArray();
    }

    public EspIntegrityAlgorithm Integrity { get; init; } = EspIntegrityAlgorithm.None;

    /// <summary>Integrity key (empty for AEAD ciphers). Copied on set.</summary>
    public ReadOnlyMemory<byte> IntegrityKey
    {
        get => integrityKey;
        init => integrityKey = value.ToArray();
    }

    /// <summary>Anti-replay window in packets (RFC 4303 §3.4.3); 0 disables replay checking. Inbound only.</summary>
    public int ReplayWindow { get; init; } = 64;

    /// <summary>Extended (64-bit) sequence numbers (RFC 4303 §2.2.1).</summary>
    public bool ExtendedSequenceNumbers { get; init; }

    public EspLifetime Lifetime { get; init; } = EspLifetime.Unlimited;

    /// <summary>Selectors on this node's side (TSi/TSr of the local end). Empty means any.</summary>
    public IReadOnlyList<EspTrafficSelector> LocalSelectors { get; init; } = [];

    /// <summary>Selectors on the peer's side. Empty means any.</summary>
    public IReadOnlyList<EspTrafficSelector> RemoteSelectors { get; init; } = [];

    /// <summary>
    /// For tests: the sequence number of the last packet sent (outbound; the next packet uses this + 1)
    /// or the highest sequence number seen (inbound). Null means 0, a fresh SA.
    /// </summary>
    public ulong? InitialSequenceNumber { get; init; }

    /// <summary>DF bit of the outer IPv4 header.</summary>
    public DontFragmentMode DontFragment { get; init; } = DontFragmentMode.Copy;

    /// <summary>TTL / hop limit of the outer header.</summary>
    public byte OuterHopLimit { get; init; } = 64;

    /// <summary>
    /// Largest outer packet this SA may emit, in octets; 0 means limited only by the output buffer.
    /// Also the bound for TCP MSS clamping (<see cref="ClampTcpMss"/>): set the same MTU on both SAs
    /// of a pair, since inbound SYNs are clamped with the inbound SA's value.
    /// </summary>
    public int Mtu { get; init; }

    /// <summary>Outbound: what happens to a packet whose ESP packet would exceed <see cref="Mtu"/>.</summary>
    public PathMtuPolicy PathMtu { get; init; } = PathMtuPolicy.FollowDontFragment;

    /// <summary>
    /// Rewrites the MSS option of TCP SYN and SYN-ACK segments that cross this SA (before encryption
    /// outbound, after decryption inbound) down to what fits in <see cref="Mtu"/> without
    /// fragmentation. No effect when <see cref="Mtu"/> is 0.
    /// </summary>
    public bool ClampTcpMss { get; init; } = true;

    /// <summary>A short human-readable identity of the SA for logs: no key material.</summary>
    public string Name => $"spi 0x{Spi:x8} {(Direction == EspDirection.Inbound ? "in" : "out")}";

    /// <summary>
    /// Checks the SA for consistency: address families, key lengths, algorithm pairing, replay window,
    /// lifetimes. Returns null when valid, or a description of the first problem (never key material).
    /// </summary>
    public string? Validate()
    {
        if (Spi < 256)
        {
            return $"SPI {Spi} is reserved (RFC 4303 §2.1: 1-255 are reserved, 0 is not used on the wire).";
        }

        if (!Enum.IsDefined(Direction))
        {
            return "Direction must be Inbound or Outbound.";
        }

        if (TunnelSource is null || TunnelDestination is null)
        {
            return "Tunnel source and destination are required.";
        }

        if (TunnelSource.AddressFamily != TunnelDestination.AddressFamily ||
            TunnelSource.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            return "Tunnel source and destination must both be IPv4 or both IPv6.";
        }

        if (!Enum.IsDefined(Encryption))
        {
            return $"Unknown encryption algorithm {(int)Encryption}.";
        }

        if (!Enum.IsDefined(Integrity))
        {
            return $"Unknown integrity algorithm {(int)Integrity}.";
        }

        int expectedKey = EspAlgorithms.KeyMaterialLength(Encryption);
        if (encryptionKey.Length != expectedKey)
        {
            return $"{Encryption} needs {expectedKey} octets of key material, got {encryptionKey.Length}.";
        }

        if (EspAlgorithms.IsAead(Encryption) && Integrity != EspIntegrityAlgorithm.None)
        {
            return $"{Encryption} is a combined-mode algorithm and takes no separate integrity algorithm (RFC 4303 §3.2.3).";
        }

        if (Encryption is not EspEncryptionAlgorithm.Null && !EspAlgorithms.IsAead(Encryption) && Integrity == EspIntegrityAlgorithm.None)
        {
            return $"{Encryption} needs an integrity algorithm: confidentiality without integrity is refused.";
        }

        int expectedIntegrityKey = EspAlgorithms.IntegrityKeyLength(Integrity);
        if (integrityKey.Length != expectedIntegrityKey)
        {
            return $"{Integrity} needs a {expectedIntegrityKey}-octet key, got {integrityKey.Length}.";
        }

        if (ReplayWindow is < 0 or > MaxReplayWindow)
        {
            return $"Replay window {ReplayWindow} is outside 0..{MaxReplayWindow}.";
        }

        if (Encapsulation is { SourcePort: 0 } or { DestinationPort: 0 })
        {
            return "UDP encapsulation ports must not be 0.";
        }

        if (Lifetime is null)
        {
            return "Lifetime is required (use EspLifetime.Unlimited).";
        }

        if ((Lifetime.HardBytes != 0 && Lifetime.SoftBytes > Lifetime.HardBytes) ||
            (Lifetime.HardPackets != 0 && Lifetime.SoftPackets > Lifetime.HardPackets))
        {
            return "A soft lifetime must not exceed its hard lifetime.";
        }

        if (LocalSelectors is null || RemoteSelectors is null)
        {
            return "Selector lists must not be null (use an empty list for any).";
        }

        if (!ExtendedSequenceNumbers && InitialSequenceNumber > uint.MaxValue)
        {
            return "Initial sequence number exceeds 32 bits without ESN.";
        }

        if (Mtu is < 0 or > 65535)
        {
            return $"MTU {Mtu} is outside 0..65535.";
        }

        if (!Enum.IsDefined(PathMtu))
        {
            return $"Unknown path MTU policy {(int)PathMtu}.";
        }

        return null;
    }

    /// <summary>The SA without its keys, for listings.</summary>
    public EspSaSummary ToSummary() => new(
        Spi,
        Direction,
        TunnelSource,
        TunnelDestination,
        Encapsulation,
        Encryption,
        Integrity,
        ReplayWindow,
        ExtendedSequenceNumbers,
        Lifetime,
        LocalSelectors,
        RemoteSelectors,
        DontFragment,
        Mtu)
    {
        PathMtu = PathMtu,
        ClampTcpMss = ClampTcpMss,
    };

    /// <summary>Describes the SA like <c>ip xfrm state</c>, without key material.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append("src ").Append(TunnelSource).Append(" dst ").Append(TunnelDestination)
            .Append(" proto esp spi 0x").Append(Spi.ToString("x8", System.Globalization.CultureInfo.InvariantCulture))
            .Append(" dir ").Append(Direction == EspDirection.Inbound ? "in" : "out")
            .Append(" mode tunnel enc ").Append(Encryption);
        if (Integrity != EspIntegrityAlgorithm.None)
        {
            text.Append(" auth ").Append(Integrity);
        }

        text.Append(" replay-window ").Append(ReplayWindow);
        if (ExtendedSequenceNumbers)
        {
            text.Append(" esn");
        }

        if (Encapsulation is not null)
        {
            text.Append(' ').Append(Encapsulation);
        }

        return text.ToString();
    }
}
