using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported ethdev functions (librte_ethdev).</summary>
internal static unsafe partial class Ethdev
{
    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_get_port_by_name", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetPortByName(string name, ushort* portId);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_get_name_by_port")]
    public static partial int GetNameByPort(ushort portId, byte* name);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_configure")]
    public static partial int Configure(ushort portId, ushort rxQueues, ushort txQueues, byte* ethConf);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_rx_queue_setup")]
    public static partial int RxQueueSetup(ushort portId, ushort queueId, ushort descriptors, uint socketId, nint rxConf, nint mbufPool);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_tx_queue_setup")]
    public static partial int TxQueueSetup(ushort portId, ushort queueId, ushort descriptors, uint socketId, nint txConf);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_start")]
    public static partial int Start(ushort portId);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_stop")]
    public static partial int Stop(ushort portId);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_close")]
    public static partial int Close(ushort portId);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_promiscuous_enable")]
    public static partial int PromiscuousEnable(ushort portId);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_macaddr_get")]
    public static partial int MacAddressGet(ushort portId, byte* macAddress);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_stats_get")]
    public static partial int StatsGet(ushort portId, byte* stats);

    [LibraryImport(DpdkLibraries.Ethdev, EntryPoint = "rte_eth_dev_socket_id")]
    public static partial int SocketId(ushort portId);
}
