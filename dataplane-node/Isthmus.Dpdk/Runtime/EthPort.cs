using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk;

/// <summary>
/// A started ethdev port with one RX and one TX queue: a PCI NIC by address, or a virtual device
/// given to EAL with <c>--vdev</c> (net_af_packet, net_af_xdp, net_tap, net_pcap, net_ring, net_null).
/// Holds a reference on the mbuf pool its RX queue fills from; stopping and closing is on dispose.
/// </summary>
public sealed unsafe class EthPort : IDisposable
{
    private const int EthConfSize = 2272;
    private readonly MempoolHandle rxPool;
    private bool disposed;

    private EthPort(ushort portId, string name, MempoolHandle rxPool, byte[] macAddress)
    {
        PortId = portId;
        Name = name;
        this.rxPool = rxPool;
        MacAddress = macAddress;
    }

    public ushort PortId { get; }

    /// <summary>The pool the port receives into (the port holds a reference on it).</summary>
    internal MempoolHandle RxPool => rxPool;

    /// <summary>The device name, e.g. "net_pcap0" or "0000:03:00.0".</summary>
    public string Name { get; }

    /// <summary>The port's Ethernet address (6 octets).</summary>
    public ReadOnlyMemory<byte> MacAddress { get; }

    /// <summary>Configures and starts the port named <paramref name="deviceName"/>.</summary>
    public static EthPort Open(string deviceName, MempoolHandle rxPool, ushort rxDescriptors = 1024, ushort txDescriptors = 1024)
    {
        ArgumentNullException.ThrowIfNull(deviceName);
        ArgumentNullException.ThrowIfNull(rxPool);
        ushort portId;
        int rc = Ethdev.GetPortByName(deviceName, &portId);
        if (rc != 0)
        {
            throw new DpdkException($"rte_eth_dev_get_port_by_name({deviceName})", rc);
        }

        // All-zero rte_eth_conf: no RSS, no offloads (the engine computes checksums itself).
        byte* conf = stackalloc byte[EthConfSize];
        new Span<byte>(conf, EthConfSize).Clear();
        Check(Ethdev.Configure(portId, 1, 1, conf), "rte_eth_dev_configure", deviceName);
        int socket = Ethdev.SocketId(portId);
        uint socketId = socket < 0 ? 0 : (uint)socket;

        bool added = false;
        rxPool.DangerousAddRef(ref added);
        try
        {
            Check(Ethdev.RxQueueSetup(portId, 0, rxDescriptors, socketId, nint.Zero, rxPool.DangerousGetHandle()), "rte_eth_rx_queue_setup", deviceName);
            Check(Ethdev.TxQueueSetup(portId, 0, txDescriptors, socketId, nint.Zero), "rte_eth_tx_queue_setup", deviceName);
            Check(Ethdev.Start(portId), "rte_eth_dev_start", deviceName);
            _ = Ethdev.PromiscuousEnable(portId);
            byte* mac = stackalloc byte[8];
            Check(Ethdev.MacAddressGet(portId, mac), "rte_eth_macaddr_get", deviceName);
            return new EthPort(portId, deviceName, rxPool, new ReadOnlySpan<byte>(mac, 6).ToArray());
        }
        catch
        {
            rxPool.DangerousRelease();
            throw;
        }
    }

    /// <summary>Configures and starts port <paramref name="portId"/> (ports are numbered in the order EAL found them).</summary>
    public static EthPort Open(ushort portId, MempoolHandle rxPool, ushort rxDescriptors = 1024, ushort txDescriptors = 1024)
    {
        byte* name = stackalloc byte[64];
        int rc = Ethdev.GetNameByPort(portId, name);
        if (rc != 0)
        {
            throw new DpdkException($"rte_eth_dev_get_name_by_port({portId}): no such port", rc);
        }

        return Open(System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)name)!, rxPool, rxDescriptors, txDescriptors);
    }

    /// <summary>Packet and byte counters of the port (rte_eth_stats_get).</summary>
    public PortStatistics ReadStatistics()
    {
        byte* stats = stackalloc byte[704];
        Check(Ethdev.StatsGet(PortId, stats), "rte_eth_stats_get", Name);
        ulong* fields = (ulong*)stats;
        return new PortStatistics(fields[0], fields[1], fields[2], fields[3], fields[4]);
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        _ = Ethdev.Stop(PortId);
        rxPool.DangerousRelease();
    }

    private static void Check(int rc, string operation, string deviceName)
    {
        if (rc < 0)
        {
            throw new DpdkException($"{operation}({deviceName})", rc);
        }
    }
}

/// <summary>rte_eth_stats: received and transmitted packets and bytes, and RX drops for lack of descriptors.</summary>
public readonly record struct PortStatistics(ulong RxPackets, ulong TxPackets, ulong RxBytes, ulong TxBytes, ulong RxMissed);
