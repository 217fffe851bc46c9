using System.Runtime.InteropServices;
using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk;

/// <summary>An rte_mempool (mbufs, crypto ops or crypto sessions), freed with rte_mempool_free.</summary>
public sealed class MempoolHandle : SafeHandle
{
    private MempoolHandle(nint pool, string name)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(pool);
        Name = name;
    }

    public string Name { get; }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>Objects currently free in the pool (including per-lcore caches).</summary>
    public uint Available => Shim.MempoolAvailCount(handle);

    /// <summary>Private bytes after each struct rte_mbuf, used by the engine for per-packet state.</summary>
    public const ushort PacketPrivateSize = 16;

    /// <summary>
    /// rte_pktmbuf_pool_create: <paramref name="count"/> mbufs with <paramref name="dataRoomSize"/> bytes each
    /// (headroom included) and <see cref="PacketPrivateSize"/> private bytes the engine needs.
    /// </summary>
    public static MempoolHandle CreatePacketPool(string name, uint count, uint cacheSize = 256, ushort dataRoomSize = 2048 + Mbuf.Headroom, int socketId = -1)
    {
        nint pool = Mempool.PktmbufPoolCreate(name, count, cacheSize, PacketPrivateSize, dataRoomSize, socketId);
        return pool == nint.Zero ? throw new DpdkException($"rte_pktmbuf_pool_create({name})", Shim.Errno()) : new MempoolHandle(pool, name);
    }

    /// <summary>rte_crypto_op_pool_create for symmetric ops, each with room for its IV.</summary>
    public static MempoolHandle CreateCryptoOpPool(string name, uint count, uint cacheSize = 256, int socketId = -1)
    {
        nint pool = Mempool.CryptoOpPoolCreate(name, CryptoConstants.OpTypeSymmetric, count, cacheSize, CryptoConstants.OpPrivateSize, socketId);
        return pool == nint.Zero ? throw new DpdkException($"rte_crypto_op_pool_create({name})", Shim.Errno()) : new MempoolHandle(pool, name);
    }

    /// <summary>rte_cryptodev_sym_session_pool_create sized for <paramref name="device"/>'s sessions.</summary>
    public static MempoolHandle CreateSessionPool(string name, CryptoDevice device, uint count, int socketId = -1)
    {
        ArgumentNullException.ThrowIfNull(device);
        uint elementSize = Cryptodev.SymGetPrivateSessionSize(device.DeviceId);
        nint pool = Mempool.SymSessionPoolCreate(name, count, elementSize, 0, 0, socketId);
        return pool == nint.Zero ? throw new DpdkException($"rte_cryptodev_sym_session_pool_create({name})", Shim.Errno()) : new MempoolHandle(pool, name);
    }

    protected override bool ReleaseHandle()
    {
        Mempool.Free(handle);
        return true;
    }
}
