using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported rte_acl functions (librte_acl).</summary>
internal static unsafe partial class Acl
{
    public const int FieldTypeMask = 0;
    public const int FieldTypeRange = 1;
    public const int FieldTypeBitmask = 2;
    public const int MaxPriority = 0x1FFFFFFF;
    public const int NameSize = 32;

    [LibraryImport(DpdkLibraries.Acl, EntryPoint = "rte_acl_create")]
    public static partial nint Create(AclParam* param);

    [LibraryImport(DpdkLibraries.Acl, EntryPoint = "rte_acl_add_rules")]
    public static partial int AddRules(nint context, byte* rules, uint count);

    [LibraryImport(DpdkLibraries.Acl, EntryPoint = "rte_acl_build")]
    public static partial int Build(nint context, AclConfig* config);

    [LibraryImport(DpdkLibraries.Acl, EntryPoint = "rte_acl_classify")]
    public static partial int Classify(nint context, byte** data, uint* results, uint count, uint categories);

    [LibraryImport(DpdkLibraries.Acl, EntryPoint = "rte_acl_free")]
    public static partial void Free(nint context);
}

/// <summary>struct rte_acl_param (24 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
internal unsafe struct AclParam
{
    [FieldOffset(0)] public byte* Name;
    [FieldOffset(8)] public int SocketId;
    [FieldOffset(12)] public uint RuleSize;
    [FieldOffset(16)] public uint MaxRules;
}

/// <summary>struct rte_acl_field_def (8 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 8)]
internal struct AclFieldDef
{
    [FieldOffset(0)] public byte Type;
    [FieldOffset(1)] public byte Size;
    [FieldOffset(2)] public byte FieldIndex;
    [FieldOffset(3)] public byte InputIndex;
    [FieldOffset(4)] public uint Offset;
}

/// <summary>struct rte_acl_config (528 bytes): categories, field count, up to 64 field definitions, trie size limit.</summary>
[StructLayout(LayoutKind.Explicit, Size = 528)]
internal struct AclConfig
{
    [FieldOffset(0)] public uint Categories;
    [FieldOffset(4)] public uint FieldCount;
    [FieldOffset(8)] public AclFieldDef FirstDef;
    [FieldOffset(520)] public nuint MaxSize;
}
