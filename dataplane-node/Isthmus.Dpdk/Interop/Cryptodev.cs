using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported cryptodev functions (librte_cryptodev).</summary>
internal static unsafe partial class Cryptodev
{
    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_get_dev_id", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int GetDevId(string name);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_name_get")]
    public static partial byte* NameGet(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_configure")]
    public static partial int Configure(byte devId, CryptodevConfig* config);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_queue_pair_setup")]
    public static partial int QueuePairSetup(byte devId, ushort queuePairId, CryptodevQpConf* conf, int socketId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_start")]
    public static partial int Start(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_stop")]
    public static partial void Stop(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_close")]
    public static partial int Close(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_socket_id")]
    public static partial int SocketId(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_sym_get_private_session_size")]
    public static partial uint SymGetPrivateSessionSize(byte devId);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_sym_session_create")]
    public static partial nint SymSessionCreate(byte devId, CryptoSymXform* xforms, nint sessionPool);

    [LibraryImport(DpdkLibraries.Cryptodev, EntryPoint = "rte_cryptodev_sym_session_free")]
    public static partial int SymSessionFree(byte devId, nint session);
}

/// <summary>struct rte_cryptodev_config (16 bytes; offsets asserted in the shim).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct CryptodevConfig
{
    [FieldOffset(0)] public int SocketId;
    [FieldOffset(4)] public ushort QueuePairs;
    [FieldOffset(8)] public ulong FeatureFlagsDisable;
}

/// <summary>struct rte_cryptodev_qp_conf (16 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 16)]
internal struct CryptodevQpConf
{
    [FieldOffset(0)] public uint Descriptors;
    [FieldOffset(8)] public nint SessionPool;
}

/// <summary>enum rte_crypto_sym_xform_type.</summary>
internal enum CryptoSymXformType
{
    Auth = 1,
    Cipher = 2,
    Aead = 3,
}

/// <summary>
/// struct rte_crypto_sym_xform (48 bytes). The aead, cipher and auth members share one union at
/// offset 16; the fields this engine sets are laid out here (asserted in the shim).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 48)]
internal unsafe struct CryptoSymXform
{
    [FieldOffset(0)] public CryptoSymXform* Next;
    [FieldOffset(8)] public CryptoSymXformType Type;
    [FieldOffset(16)] public int Op;
    [FieldOffset(20)] public int Algorithm;
    [FieldOffset(24)] public byte* KeyData;
    [FieldOffset(32)] public ushort KeyLength;
    [FieldOffset(40)] public ushort IvOffset;
    [FieldOffset(42)] public ushort IvLength;
    [FieldOffset(44)] public ushort DigestLength;
    [FieldOffset(46)] public ushort AadLength;
}

/// <summary>The DPDK algorithm and operation numbers this engine uses (rte_crypto_sym.h).</summary>
internal static class CryptoConstants
{
    public const int OpTypeSymmetric = 1;
    public const int AeadAesGcm = 2;
    public const int AeadChaCha20Poly1305 = 3;
    public const int AeadOpEncrypt = 0;
    public const int AeadOpDecrypt = 1;
    public const int CipherNull = 1;
    public const int CipherAesCbc = 5;
    public const int CipherAesCtr = 6;
    public const int CipherOpEncrypt = 0;
    public const int CipherOpDecrypt = 1;
    public const int AuthNull = 1;
    public const int AuthAesGmac = 4;
    public const int AuthSha1Hmac = 10;
    public const int AuthSha256Hmac = 14;
    public const int AuthSha384Hmac = 16;
    public const int AuthSha512Hmac = 18;
    public const int AuthOpVerify = 0;
    public const int AuthOpGenerate = 1;

    /// <summary>Offset of the per-op IV: after struct rte_crypto_op (24) and one rte_crypto_sym_op (64).</summary>
    public const ushort IvOffset = 24 + 64;

    /// <summary>Private bytes per crypto op: the IV (16) rounded up.</summary>
    public const ushort OpPrivateSize = 16;
}
