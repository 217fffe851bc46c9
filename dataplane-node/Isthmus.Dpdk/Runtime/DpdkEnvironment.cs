using System.Runtime.InteropServices;
using System.Text;
using Isthmus.Dpdk.Interop;

namespace Isthmus.Dpdk;

/// <summary>
/// The process-wide DPDK environment (EAL). EAL can be initialised once per process: the first
/// <see cref="Initialize"/> wins and later calls with other arguments are refused.
/// </summary>
public static unsafe class DpdkEnvironment
{
    private static readonly Lock Gate = new();
    private static string[]? initializedWith;

    /// <summary>True once EAL is up in this process.</summary>
    public static bool IsInitialized => Volatile.Read(ref initializedWith) is not null;

    /// <summary>The EAL arguments this process was initialised with.</summary>
    public static IReadOnlyList<string> Arguments => initializedWith ?? [];

    /// <summary>
    /// Whether DPDK can run here: the DPDK libraries and the Isthmus shim load. Returns null when
    /// they do, or the reason they do not (for skipped tests and clear start-up errors).
    /// </summary>
    public static string? UnavailableReason()
    {
        foreach (string library in new[] { DpdkLibraries.Eal, DpdkLibraries.Ethdev, DpdkLibraries.Cryptodev, DpdkLibraries.Ipsec, DpdkLibraries.Acl })
        {
            if (!NativeLibrary.TryLoad(library, out nint handle))
            {
                return $"{library} cannot be loaded: install DPDK 22.11 (apt-get install dpdk libdpdk-dev).";
            }

            NativeLibrary.Free(handle);
        }

        if (!NativeLibrary.TryLoad(DpdkLibraries.Shim, typeof(DpdkEnvironment).Assembly, DllImportSearchPath.AssemblyDirectory, out nint shim))
        {
            return $"{DpdkLibraries.Shim} is missing next to {typeof(DpdkEnvironment).Assembly.GetName().Name}.dll: it is built by dotnet build when pkg-config finds libdpdk.";
        }

        NativeLibrary.Free(shim);
        return null;
    }

    /// <summary>
    /// Initialises EAL with <paramref name="options"/> (program name first is added here). Throws
    /// <see cref="DpdkException"/> when EAL refuses, or when EAL is already up with other arguments.
    /// </summary>
    public static void Initialize(EalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Initialize(options.ToArguments());
    }

    /// <summary>Initialises EAL with a ready argument vector (without the program name), passed unchanged.</summary>
    public static void Initialize(IReadOnlyList<string> ealArguments)
    {
        ArgumentNullException.ThrowIfNull(ealArguments);
        string[] arguments = ealArguments.ToArray();
        lock (Gate)
        {
            if (initializedWith is not null)
            {
                if (!initializedWith.AsSpan().SequenceEqual(arguments))
                {
                    throw new DpdkException($"EAL is already initialised in this process with: {string.Join(' ', initializedWith)}");
                }

                return;
            }

            string? reason = UnavailableReason();
            if (reason is not null)
            {
                throw new DpdkException(reason);
            }

            var argv = new List<string>(arguments.Length + 1) { "isthmus-dataplane" };
            argv.AddRange(arguments);

            // EAL keeps pointers into argv (e.g. for --vdev): the strings stay allocated for the process lifetime.
            byte** native = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(byte*));
            for (int i = 0; i < argv.Count; i++)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(argv[i]);
                byte* copy = (byte*)NativeMemory.AllocZeroed((nuint)bytes.Length + 1);
                bytes.AsSpan().CopyTo(new Span<byte>(copy, bytes.Length));
                native[i] = copy;
            }

            int rc = Eal.Init(argv.Count, native);
            if (rc < 0)
            {
                throw new DpdkException("rte_eal_init", Shim.Errno());
            }

            Volatile.Write(ref initializedWith, arguments);
        }
    }

    /// <summary>The worker lcores (EAL threads other than the main one), in order.</summary>
    public static IReadOnlyList<uint> WorkerLcores()
    {
        var workers = new List<uint>();
        const uint maxLcore = 128;
        uint lcore = Eal.GetNextLcore(uint.MaxValue, 1, 0);
        while (lcore < maxLcore)
        {
            workers.Add(lcore);
            lcore = Eal.GetNextLcore(lcore, 1, 0);
        }

        return workers;
    }
}
