using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported librte_ip_frag functions: outer IPv4 fragmentation and reassembly.</summary>
internal static unsafe partial class IpFrag
{
    /// <summary>sizeof(struct rte_ip_frag_death_row) (asserted in the shim).</summary>
    public const int DeathRowSize = 2312;

    /// <summary>
    /// rte_ipv4_fragment_packet: cuts the IPv4 packet starting at the mbuf's data (no L2 header, DF
    /// clear) into fragments of at most <paramref name="mtu"/> octets: each a header mbuf from
    /// <paramref name="directPool"/> chained to an indirect mbuf from <paramref name="indirectPool"/>
    /// on the input's data. Header checksums are left 0. Returns the count or a negative errno; the
    /// input is not freed.
    /// </summary>
    [LibraryImport(DpdkLibraries.IpFrag, EntryPoint = "rte_ipv4_fragment_packet")]
    public static partial int Ipv4FragmentPacket(nint packet, nint* fragments, ushort maxFragments, ushort mtu, nint directPool, nint indirectPool);

    /// <summary>rte_ip_frag_table_create: <paramref name="maxCycles"/> is the reassembly timeout in the units of the timestamps later passed in.</summary>
    [LibraryImport(DpdkLibraries.IpFrag, EntryPoint = "rte_ip_frag_table_create")]
    public static partial nint TableCreate(uint buckets, uint bucketEntries, uint maxEntries, ulong maxCycles, int socketId);

    [LibraryImport(DpdkLibraries.IpFrag, EntryPoint = "rte_ip_frag_table_destroy")]
    public static partial void TableDestroy(nint table);

    /// <summary>
    /// rte_ipv4_frag_reassemble_packet: takes one fragment (l2_len and l3_len set); returns the whole
    /// packet (a chain) when it completes one, else 0 (held, or given to the death row).
    /// </summary>
    [LibraryImport(DpdkLibraries.IpFrag, EntryPoint = "rte_ipv4_frag_reassemble_packet")]
    public static partial nint Ipv4FragReassemblePacket(nint table, nint deathRow, nint fragment, ulong timestamp, byte* ipHeader);

    /// <summary>rte_ip_frag_free_death_row: frees the mbufs of failed and timed-out reassemblies.</summary>
    [LibraryImport(DpdkLibraries.IpFrag, EntryPoint = "rte_ip_frag_free_death_row")]
    public static partial void FreeDeathRow(nint deathRow, uint prefetch);
}
