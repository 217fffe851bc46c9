using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported mempool, mbuf-pool and crypto-pool constructors.</summary>
internal static unsafe partial class Mempool
{
    [LibraryImport(DpdkLibraries.Mbuf, EntryPoint = "rte_pktmbuf_pool_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint PktmbufPoolCreate(string name, uint count, uint cacheSize, ushort privSize, ushort dataRoomSize, int socketId);

    [LibraryImport(DpdkLibraries.Mbuf, EntryPoint = "rte_pktmbuf_free_bulk")]
    public static partial void PktmbufFreeBulk(nint* mbufs, uint count);

    [LibraryImport(DpdkLibraries.Mempool, EntryPoint = "rte_mempool_free")]
    public static partial void Free(nint pool);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_crypto_op_pool_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint CryptoOpPoolCreate(string name, int type, uint count, uint cacheSize, ushort privSize, int socketId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_sym_session_pool_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint SymSessionPoolCreate(string name, uint count, uint elementSize, uint cacheSize, ushort userDataSize, int socketId);
}
