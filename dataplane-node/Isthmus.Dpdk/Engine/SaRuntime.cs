using System.Net.Sockets;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Engine;

/// <summary>
/// The packet-path state of one installed SA: its native rte_ipsec session, the compiled selectors,
/// the lifetime limits and the counters. The poll loop is the only writer of the counters; the
/// control API reads them (64-bit reads, no tearing).
/// </summary>
internal sealed unsafe class SaRuntime : IDisposable
{
    public SaRuntime(EspSa sa, uint slot, IpsecSaHandle handle, AntiReplayWindow? replay = null)
    {
        Sa = sa;
        Slot = slot;
        Handle = handle;
        Session = (nint)handle.Session;
        OuterIPv6 = sa.TunnelSource.AddressFamily == AddressFamily.InterNetworkV6;
        Encapsulated = sa.Encapsulation is not null;
        IvLength = EspAlgorithms.IvLength(sa.Encryption);
        IcvLength = EspAlgorithms.IcvLength(sa.Encryption, sa.Integrity);
        Local = Compile(sa.LocalSelectors);
        Remote = Compile(sa.RemoteSelectors);
        SoftBytes = sa.Lifetime.SoftBytes;
        HardBytes = sa.Lifetime.HardBytes;
        SoftPackets = sa.Lifetime.SoftPackets;
        HardPackets = sa.Lifetime.HardPackets;
        HighestSequence = sa.InitialSequenceNumber ?? 0;
        Replay = replay ?? new AntiReplayWindow(sa.Direction == EspDirection.Inbound ? sa.ReplayWindow : 0, HighestSequence);
        DontFragment = sa.DontFragment;
        LocalAddress = sa.TunnelSource.GetAddressBytes();
        ApplyMtu(sa);
    }

    public EspSa Sa { get; set; }

    public uint Slot { get; }

    public IpsecSaHandle Handle { get; }

    /// <summary>The rte_ipsec_session pointer (the handle keeps it alive).</summary>
    public nint Session { get; }

    public bool OuterIPv6 { get; }

    public bool Encapsulated { get; }

    public int IvLength { get; }

    public int IcvLength { get; }

    public CompiledSelector[] Local { get; private set; }

    public CompiledSelector[] Remote { get; private set; }

    public DontFragmentMode DontFragment { get; private set; }

    /// <summary>The SA's tunnel source: the source of the ICMP messages it sends toward the clear side.</summary>
    public byte[] LocalAddress { get; }

    /// <summary>The SA's MTU (0: none), the largest inner packet that fits it, and its path-MTU policy.</summary>
    public int Mtu { get; private set; }

    public int MaxInner { get; private set; }

    /// <summary>What the ICMP messages report: <see cref="MaxInner"/>, or the 64 KiB bound without an MTU.</summary>
    public int ReportedMtu { get; private set; }

    public PathMtuPolicy PathMtu { get; private set; }

    /// <summary>TCP MSS clamps for IPv4 and IPv6 inner packets (0: none).</summary>
    public ushort Mss4 { get; private set; }

    public ushort Mss6 { get; private set; }

    /// <summary>The mtu argument of rte_ipv4_fragment_packet: 20 + the fragment payload (a multiple of 8).</summary>
    public ushort FragmentMtu { get; private set; }

    public ulong SoftBytes { get; private set; }

    public ulong HardBytes { get; private set; }

    public ulong SoftPackets { get; private set; }

    public ulong HardPackets { get; private set; }

    /// <summary>The engine's own anti-replay window (inbound SAs).</summary>
    public AntiReplayWindow Replay { get; }

    public ulong Bytes;
    public ulong Packets;
    public ulong HighestSequence;
    public ulong Fragments;
    public ulong IcmpErrors;
    public bool SoftExpired;
    public bool HardExpired;
    public readonly ulong[] Drops = new ulong[DropReasons.Count];

    /// <summary>Applies the parts of an update that do not need a new native SA: lifetimes, selectors, DF.</summary>
    public void Update(EspSa sa)
    {
        Sa = sa;
        Local = Compile(sa.LocalSelectors);
        Remote = Compile(sa.RemoteSelectors);
        DontFragment = sa.DontFragment;
        SoftBytes = sa.Lifetime.SoftBytes;
        HardBytes = sa.Lifetime.HardBytes;
        SoftPackets = sa.Lifetime.SoftPackets;
        HardPackets = sa.Lifetime.HardPackets;
        ApplyMtu(sa);
    }

    public EspSaSummary Summary() => Sa.ToSummary() with
    {
        SequenceNumber = Volatile.Read(ref HighestSequence),
        SoftExpired = Volatile.Read(ref SoftExpired),
        HardExpired = Volatile.Read(ref HardExpired),
    };

    public SaCounters Counters() => new(Sa.Spi, Sa.Direction, Volatile.Read(ref Bytes), Volatile.Read(ref Packets), new DropCounts(Drops))
    {
        Fragments = Volatile.Read(ref this.Fragments),
        IcmpErrors = Volatile.Read(ref this.IcmpErrors),
    };

    public void Dispose() => Handle.Dispose();

    private void ApplyMtu(EspSa sa)
    {
        Mtu = sa.Mtu;
        MaxInner = EspMtu.MaxInnerLength(sa);
        ReportedMtu = MaxInner != 0 ? MaxInner : EspMtu.MaxInnerLength(ushort.MaxValue + (OuterIPv6 ? 40 : 0), OuterIPv6, Encapsulated, sa.Encryption, sa.Integrity);
        PathMtu = sa.PathMtu;
        Mss4 = sa.ClampTcpMss ? EspMtu.MaxTcpMss(MaxInner, innerIPv6: false) : (ushort)0;
        Mss6 = sa.ClampTcpMss ? EspMtu.MaxTcpMss(MaxInner, innerIPv6: true) : (ushort)0;
        FragmentMtu = (ushort)(20 + EspMtu.FragmentPayload(sa.Mtu));
    }

    private static CompiledSelector[] Compile(IReadOnlyList<EspTrafficSelector> selectors)
    {
        var compiled = new CompiledSelector[selectors.Count];
        for (int i = 0; i < compiled.Length; i++)
        {
            compiled[i] = new CompiledSelector(selectors[i].Addresses, selectors[i].Protocol, selectors[i].Ports);
        }

        return compiled;
    }
}
