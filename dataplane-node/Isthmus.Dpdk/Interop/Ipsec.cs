using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported rte_ipsec and rte_ipsec_sad functions (librte_ipsec).</summary>
internal static unsafe partial class Ipsec
{
    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sa_size")]
    public static partial int SaSize(IpsecSaPrm* prm);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sa_init")]
    public static partial int SaInit(nint sa, IpsecSaPrm* prm, uint size);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sa_fini")]
    public static partial void SaFini(nint sa);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_session_prepare")]
    public static partial int SessionPrepare(IpsecSession* session);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sad_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint SadCreate(string name, IpsecSadConf* conf);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sad_destroy")]
    public static partial void SadDestroy(nint sad);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sad_add")]
    public static partial int SadAdd(nint sad, IpsecSadKey* key, int keyType, nint sa);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sad_del")]
    public static partial int SadDelete(nint sad, IpsecSadKey* key, int keyType);

    [LibraryImport(DpdkLibraries.Ipsec, EntryPoint = "rte_ipsec_sad_lookup")]
    public static partial int SadLookup(nint sad, IpsecSadKey** keys, nint* sa, uint count);
}

/// <summary>struct rte_security_ipsec_xform embedded at offset 16 of rte_ipsec_sa_prm, and the rest of the prm (168 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 168)]
internal unsafe struct IpsecSaPrm
{
    [FieldOffset(0)] public ulong UserData;
    [FieldOffset(8)] public ulong Flags;
    [FieldOffset(16)] public uint Spi;
    [FieldOffset(20)] public uint Salt;

    /// <summary>struct rte_security_ipsec_sa_options: a 32-bit bit field; see <see cref="IpsecOptions"/>.</summary>
    [FieldOffset(24)] public uint Options;
    [FieldOffset(28)] public int Direction;
    [FieldOffset(32)] public int Protocol;
    [FieldOffset(36)] public int Mode;
    [FieldOffset(40)] public int TunnelType;
    [FieldOffset(120)] public uint ReplayWindow;
    [FieldOffset(128)] public ulong Esn;
    [FieldOffset(136)] public ushort UdpSourcePort;
    [FieldOffset(138)] public ushort UdpDestinationPort;
    [FieldOffset(144)] public CryptoSymXform* CryptoXform;
    [FieldOffset(152)] public byte TunnelHeaderLength;
    [FieldOffset(153)] public byte TunnelHeaderL3Offset;
    [FieldOffset(154)] public byte TunnelNextProtocol;
    [FieldOffset(160)] public byte* TunnelHeader;
}

/// <summary>Bits of struct rte_security_ipsec_sa_options (declaration order, LSB first).</summary>
internal static class IpsecOptions
{
    public const uint Esn = 1u << 0;
    public const uint UdpEncap = 1u << 1;
    public const uint CopyDscp = 1u << 2;
    public const uint Ecn = 1u << 6;
}

/// <summary>enum values of rte_security used by rte_ipsec_sa_prm.</summary>
internal static class IpsecConstants
{
    public const int DirectionEgress = 0;
    public const int DirectionIngress = 1;
    public const int ProtocolEsp = 2;
    public const int ModeTunnel = 2;
    public const int TunnelIPv4 = 1;
    public const int TunnelIPv6 = 2;
    public const int SessionTypeNone = 0;
    public const int SadKeySpiOnly = 0;
    public const byte IpProtoIpip = 4;
    public const byte IpProtoIPv6 = 41;
}

/// <summary>struct rte_ipsec_session (64 bytes): filled by C#, completed by rte_ipsec_session_prepare.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct IpsecSession
{
    [FieldOffset(0)] public nint Sa;
    [FieldOffset(8)] public int Type;
    [FieldOffset(16)] public nint CryptoSession;
}

/// <summary>struct rte_ipsec_group (24 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal unsafe struct IpsecGroup
{
    [FieldOffset(0)] public nint Id;
    [FieldOffset(8)] public nint* Mbufs;
    [FieldOffset(16)] public uint Count;
    [FieldOffset(20)] public int Rc;
}

/// <summary>struct rte_ipsec_sad_conf (20 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 20)]
internal struct IpsecSadConf
{
    [FieldOffset(0)] public int SocketId;
    [FieldOffset(4)] public uint MaxSaSpiOnly;
    [FieldOffset(8)] public uint MaxSaSpiDip;
    [FieldOffset(12)] public uint MaxSaSpiDipSip;
    [FieldOffset(16)] public uint Flags;
}

/// <summary>union rte_ipsec_sad_key (36 bytes); the SPI-only key is the network-order SPI at offset 0.</summary>
[StructLayout(LayoutKind.Explicit, Size = 36)]
internal struct IpsecSadKey
{
    [FieldOffset(0)] public uint SpiBigEndian;
}
