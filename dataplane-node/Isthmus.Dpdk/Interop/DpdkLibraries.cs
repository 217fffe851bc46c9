namespace Isthmus.Dpdk.Interop;

/// <summary>
/// The shared objects DPDK 22.11 (ABI 23) splits its exported functions into, and the Isthmus shim.
/// Names are exact sonames, so the loader needs no development symlinks.
/// </summary>
internal static class DpdkLibraries
{
    public const string Eal = "librte_eal.so.23";
    public const string Mempool = "librte_mempool.so.23";
    public const string Mbuf = "librte_mbuf.so.23";
    public const string Ethdev = "librte_ethdev.so.23";
    public const string Cryptodev = "librte_cryptodev.so.23";
    public const string Ipsec = "librte_ipsec.so.23";
    public const string Acl = "librte_acl.so.23";
    public const string IpFrag = "librte_ip_frag.so.23";

    /// <summary>The C shim built from Native/isthmus_dpdk.c, copied next to the assemblies.</summary>
    public const string Shim = "libisthmus_dpdk.so";
}
