using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>
/// The C shim (Native/isthmus_dpdk.c): DPDK's <c>static inline</c> burst functions, one export each,
/// arguments passed through unchanged. Pointers are raw: callers hold the owning SafeHandles alive.
/// </summary>
internal static unsafe partial class Shim
{
    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_eth_rx_burst")]
    public static partial ushort EthRxBurst(ushort portId, ushort queueId, nint* mbufs, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_eth_tx_burst")]
    public static partial ushort EthTxBurst(ushort portId, ushort queueId, nint* mbufs, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_cryptodev_enqueue_burst")]
    public static partial ushort CryptodevEnqueueBurst(byte devId, ushort queuePairId, nint* ops, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_cryptodev_dequeue_burst")]
    public static partial ushort CryptodevDequeueBurst(byte devId, ushort queuePairId, nint* ops, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_cryptodev_sym_session_opaque_data_set")]
    public static partial void CryptodevSymSessionOpaqueDataSet(nint session, ulong opaque);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_pktmbuf_alloc")]
    public static partial nint PktmbufAlloc(nint pool);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_pktmbuf_alloc_bulk")]
    public static partial int PktmbufAllocBulk(nint pool, nint* mbufs, uint count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_pktmbuf_linearize")]
    public static partial int PktmbufLinearize(nint mbuf);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_pktmbuf_free")]
    public static partial void PktmbufFree(nint mbuf);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_crypto_op_bulk_alloc")]
    public static partial uint CryptoOpBulkAlloc(nint pool, uint type, nint* ops, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_mempool_put_bulk")]
    public static partial void MempoolPutBulk(nint pool, nint* objects, uint count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_mempool_avail_count")]
    public static partial uint MempoolAvailCount(nint pool);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_ipsec_pkt_crypto_prepare")]
    public static partial ushort IpsecPktCryptoPrepare(IpsecSession* session, nint* mbufs, nint* ops, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_ipsec_pkt_process")]
    public static partial ushort IpsecPktProcess(IpsecSession* session, nint* mbufs, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_ipsec_pkt_crypto_group")]
    public static partial ushort IpsecPktCryptoGroup(nint* ops, nint* mbufs, IpsecGroup* groups, ushort count);

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_lcore_id")]
    public static partial uint LcoreId();

    [LibraryImport(DpdkLibraries.Shim, EntryPoint = "isthmus_errno")]
    public static partial int Errno();
}
