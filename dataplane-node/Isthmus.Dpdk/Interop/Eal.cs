using System.Runtime.InteropServices;

namespace Isthmus.Dpdk.Interop;

/// <summary>Exported EAL functions (librte_eal).</summary>
internal static unsafe partial class Eal
{
    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_eal_init")]
    public static partial int Init(int argc, byte** argv);

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_eal_remote_launch")]
    public static partial int RemoteLaunch(delegate* unmanaged<nint, int> function, nint argument, uint workerId);

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_eal_wait_lcore")]
    public static partial int WaitLcore(uint workerId);

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_thread_register")]
    public static partial int ThreadRegister();

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_thread_unregister")]
    public static partial void ThreadUnregister();

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_delay_us_sleep")]
    public static partial void DelayUsSleep(uint microseconds);

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_get_next_lcore")]
    public static partial uint GetNextLcore(uint lcore, int skipMain, int wrap);

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_get_main_lcore")]
    public static partial uint GetMainLcore();

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_lcore_count")]
    public static partial uint LcoreCount();

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_socket_id")]
    public static partial int SocketId();

    [LibraryImport(DpdkLibraries.Eal, EntryPoint = "rte_strerror")]
    public static partial byte* StrError(int errnum);

    /// <summary>DPDK's text for an errno value (positive or negative).</summary>
    public static string ErrorText(int error)
    {
        byte* text = StrError(Math.Abs(error));
        return text == null ? $"error {error}" : Marshal.PtrToStringUTF8((nint)text) ?? $"error {error}";
    }
}
