namespace Isthmus.Dpdk.Engine;

/// <summary>
/// What the engine runs on: the clear (LAN) port, the cipher (WAN) port, optionally a port toward
/// the host kernel (net_tap) for IKE, NAT keepalives and ARP, a started crypto device and the pools.
/// The caller owns these objects and disposes them after the engine.
/// </summary>
public sealed record DpdkEngineOptions
{
    public required EthPort ClearPort { get; init; }

    public required EthPort CipherPort { get; init; }

    /// <summary>
    /// Where IKE (UDP 500, non-ESP-marker UDP 4500), NAT keepalives and non-IP frames (ARP) from the
    /// cipher side go; null drops them, counted. What the host sends back on this port leaves on the
    /// cipher port unchanged, so a kernel behind a net_tap host port can run IKE and answer ARP.
    /// </summary>
    public EthPort? HostPort { get; init; }

    public required CryptoDevice CryptoDevice { get; init; }

    public ushort CryptoQueuePair { get; init; }

    public required MempoolHandle SessionPool { get; init; }

    public required MempoolHandle CryptoOpPool { get; init; }

    /// <summary>Ethernet address of the next hop on the cipher side (the peer gateway or router).</summary>
    public required ReadOnlyMemory<byte> CipherNextHopMac { get; init; }

    /// <summary>Ethernet address of the next hop on the clear side.</summary>
    public required ReadOnlyMemory<byte> ClearNextHopMac { get; init; }

    /// <summary>Packets per burst (rx, crypto, tx); at most 256.</summary>
    public int BurstSize { get; init; } = 32;

    /// <summary>Largest number of SAs (both directions) installed at once.</summary>
    public int MaxSas { get; init; } = 4096;

    /// <summary>UDP port of ESP-in-UDP (RFC 3948) on the cipher side.</summary>
    public ushort NatTraversalPort { get; init; } = 4500;

    /// <summary>Seconds between two acquire events for one policy.</summary>
    public int AcquireIntervalMilliseconds { get; init; } = 1000;

    /// <summary>
    /// Microseconds the poll loop sleeps once it has found nothing to do for a while; 0 (the default)
    /// polls without pause, as a dedicated core should. A few tens of microseconds suit a shared core.
    /// </summary>
    public int IdleSleepMicroseconds { get; init; }

    /// <summary>
    /// ICMP "too big" messages (fragmentation needed, Packet Too Big) the engine sends per second at
    /// most, over all SAs (RFC 1812 §4.3.2.8); 0 sends none. The packets they answer are dropped and
    /// counted either way.
    /// </summary>
    public int IcmpErrorsPerSecond { get; init; } = 100;

    /// <summary>ICMP "too big" messages that may go at once after a quiet period.</summary>
    public int IcmpErrorBurst { get; init; } = 20;

    /// <summary>
    /// Outer IPv4 packets being reassembled at once on the cipher side (rte_ip_frag table size); the
    /// reassembled packet must fit one mbuf of the cipher port's pool.
    /// </summary>
    public int ReassemblyFlows { get; init; } = 1024;

    /// <summary>How long the fragments of an outer packet wait for the rest before they are freed.</summary>
    public int ReassemblyTimeoutMilliseconds { get; init; } = 2000;

    /// <summary>
    /// Pool for the header and indirect mbufs of outbound fragments (rte_ipv4_fragment_packet); null
    /// uses the cipher port's receive pool.
    /// </summary>
    public MempoolHandle? FragmentPool { get; init; }

    /// <summary>Clock for event time stamps and the ICMP rate limit.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
