namespace Isthmus.Dpdk;

/// <summary>
/// EAL command-line options from configuration. Defaults suit a container or a test: no PCI scan,
/// no files under /var/run (in-memory), hugepages when the host has them.
/// </summary>
public sealed record EalOptions
{
    /// <summary>The lcore list (<c>-l</c>), e.g. "0" or "0,1": the first is the main lcore, the rest run poll loops.</summary>
    public string Lcores { get; init; } = "0";

    /// <summary>Virtual devices (<c>--vdev</c>), e.g. "net_af_packet0,iface=eth1", "crypto_aesni_gcm0".</summary>
    public IReadOnlyList<string> VirtualDevices { get; init; } = [];

    /// <summary>PCI devices to use (<c>-a</c>); empty with <see cref="NoPci"/> set means no PCI scan.</summary>
    public IReadOnlyList<string> PciDevices { get; init; } = [];

    /// <summary><c>--no-pci</c>: skip the PCI bus (virtual devices only).</summary>
    public bool NoPci { get; init; } = true;

    /// <summary><c>--no-huge</c>: anonymous memory instead of hugepages (slower, works everywhere).</summary>
    public bool NoHugePages { get; init; }

    /// <summary>Memory in MiB (<c>-m</c>), 0 for EAL's default (required with <see cref="NoHugePages"/>).</summary>
    public int MemoryMegabytes { get; init; }

    /// <summary>
    /// <c>--in-memory</c>: no shared runtime files, so several DPDK processes can coexist. EAL refuses it
    /// with <see cref="NoHugePages"/> (which implies legacy memory); then a per-process
    /// <c>--file-prefix</c> keeps processes apart instead.
    /// </summary>
    public bool InMemory { get; init; } = true;

    /// <summary>Keep EAL telemetry (a Unix socket under the runtime directory); off by default.</summary>
    public bool Telemetry { get; init; }

    /// <summary>EAL log level (<c>--log-level</c>), e.g. "notice" or "lib.eal:debug"; null for the default.</summary>
    public string? LogLevel { get; init; } = "error";

    /// <summary>Extra EAL arguments, passed last and verbatim.</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];

    /// <summary>The argument vector (without the program name).</summary>
    public string[] ToArguments()
    {
        var args = new List<string> { "-l", Lcores };
        if (InMemory && !NoHugePages)
        {
            args.Add("--in-memory");
        }
        else if (InMemory)
        {
            args.Add("--file-prefix");
            args.Add($"isthmus{Environment.ProcessId}");
        }

        if (NoHugePages)
        {
            args.Add("--no-huge");
        }

        if (MemoryMegabytes > 0)
        {
            args.Add("-m");
            args.Add(MemoryMegabytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (NoPci && PciDevices.Count == 0)
        {
            args.Add("--no-pci");
        }

        foreach (string pci in PciDevices)
        {
            args.Add("-a");
            args.Add(pci);
        }

        foreach (string vdev in VirtualDevices)
        {
            args.Add("--vdev");
            args.Add(vdev);
        }

        if (!Telemetry)
        {
            args.Add("--no-telemetry");
        }

        if (LogLevel is not null)
        {
            args.Add("--log-level");
            args.Add(LogLevel);
        }

        args.AddRange(Extra);
        return args.ToArray();
    }
}
