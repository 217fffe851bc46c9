namespace Isthmus.Esp;

/// <summary>
/// Why the dataplane dropped a packet. Each dropped packet bumps exactly one reason, counted on its
/// SA when one was identified and globally otherwise. <see cref="DropReasons.Describe"/> gives the
/// text shown by the CLI; the values are stable (they cross the control API).
/// </summary>
public enum DropReason : byte
{
    /// <summary>Not dropped.</summary>
    None = 0,

    Runt = 1,
    Malformed = 2,
    UnknownSpi = 3,
    Replay = 4,
    ReplayTooOld = 5,
    IntegrityFailed = 6,
    BadPadding = 7,
    BadNextHeader = 8,
    SelectorMismatch = 9,
    NoPolicy = 10,
    PolicyDiscard = 11,
    HardLifetime = 12,
    MtuExceeded = 13,
    NoSa = 14,
    SequenceOverflow = 15,
    DummyPacket = 16,
    Fragmented = 17,
    BufferTooSmall = 18,
    NotProtected = 19,
    UnsupportedProtocol = 20,
}

/// <summary>The one place where each <see cref="DropReason"/> is described.</summary>
public static class DropReasons
{
    /// <summary>Number of <see cref="DropReason"/> values (the size of a counter array indexed by reason).</summary>
    public const int Count = 21;

    /// <summary>Every reason except <see cref="DropReason.None"/>, in value order.</summary>
    public static IReadOnlyList<DropReason> All { get; } = Enum.GetValues<DropReason>().Where(r => r != DropReason.None).ToArray();

    /// <summary>A one-line description for tables and logs.</summary>
    public static string Describe(this DropReason reason) => reason switch
    {
        DropReason.None => "not dropped",
        DropReason.Runt => "packet shorter than its headers, IV and ICV",
        DropReason.Malformed => "malformed outer or inner header",
        DropReason.UnknownSpi => "no inbound SA for the SPI",
        DropReason.Replay => "sequence number already received (RFC 4303 §3.4.3)",
        DropReason.ReplayTooOld => "sequence number left of the replay window (RFC 4303 §3.4.3)",
        DropReason.IntegrityFailed => "ICV verification failed (RFC 4303 §3.4.4)",
        DropReason.BadPadding => "pad length or pad bytes invalid (RFC 4303 §2.4)",
        DropReason.BadNextHeader => "next header is neither IPv4 (4) nor IPv6 (41)",
        DropReason.SelectorMismatch => "inner packet outside the SA's traffic selectors (RFC 4301 §5.2)",
        DropReason.NoPolicy => "no SPD entry matches the packet",
        DropReason.PolicyDiscard => "the matching SPD entry discards",
        DropReason.HardLifetime => "SA reached its hard lifetime",
        DropReason.MtuExceeded => "encapsulated packet larger than the SA's MTU and not fragmented (ICMP too-big sent, rate permitting)",
        DropReason.NoSa => "protect policy without an installed outbound SA (acquire raised)",
        DropReason.SequenceOverflow => "outbound sequence number exhausted: rekey needed (RFC 4303 §3.3.3)",
        DropReason.DummyPacket => "dummy packet, next header 59 (RFC 4303 §2.6)",
        DropReason.Fragmented => "outer fragment not reassembled (IPv6 outer, the managed backend, or the reassembly table refused it)",
        DropReason.BufferTooSmall => "output buffer too small",
        DropReason.NotProtected => "clear packet matches an inbound Protect policy",
        DropReason.UnsupportedProtocol => "neither IPv4 nor IPv6",
        _ => "unknown",
    };
}
