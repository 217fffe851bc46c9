using System.Globalization;
using System.Text.RegularExpressions;

namespace Isthmus.Operator.Nodes;

/// <summary>
/// The command line of the dataplane DaemonSet's container, from the operator's options:
/// <code>
/// isthmus-dataplane serve --socket /run/isthmus/dataplane.sock --backend dpdk
///     --clear-port ETHDEV --cipher-port ETHDEV [--host-port ETHDEV] --crypto-device NAME
///     [--cipher-next-hop-mac MAC] [--clear-next-hop-mac MAC]
///     -- -l LCORES (--in-memory | --no-huge -m MiB) (-a PCI ... | --no-pci) [--vdev SPEC ...]
/// </code>
/// Each configured device is an EAL device: a PCI address (an allow-list entry <c>-a</c>, devargs after a comma)
/// or a virtual device (<c>--vdev</c>). The dataplane names a port by its ethdev name, which is the device's name
/// before the first comma (a PCI address in its full <c>DDDD:BB:DD.F</c> form).
/// </summary>
public static partial class DataplaneCommand
{
    /// <summary>The dataplane's control socket on the node, shared with the IKE pod through the host path <see cref="NodeObjectNames.RuntimeDirectory"/>.</summary>
    public const string Socket = NodeObjectNames.RuntimeDirectory + "/dataplane.sock";

    /// <summary>Where the hugepages volume is mounted in the dataplane container.</summary>
    public const string HugepagesMountPath = "/dev/hugepages";

    /// <summary>The container's arguments.</summary>
    public static IReadOnlyList<string> Arguments(OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string>
        {
            "serve", "--socket", Socket, "--backend", "dpdk",
            "--clear-port", EthdevName(options.DataplaneClearPort),
            "--cipher-port", EthdevName(options.DataplaneCipherPort),
        };
        if (options.DataplaneHostPort is { } host)
        {
            args.AddRange(["--host-port", EthdevName(host)]);
        }
        args.AddRange(["--crypto-device", options.DataplaneCryptoDeviceName ?? EthdevName(options.DataplaneCryptoDevice)]);
        if (options.DataplaneCipherNextHopMac is { } cipherMac)
        {
            args.AddRange(["--cipher-next-hop-mac", cipherMac]);
        }
        if (options.DataplaneClearNextHopMac is { } clearMac)
        {
            args.AddRange(["--clear-next-hop-mac", clearMac]);
        }
        args.Add("--");
        args.AddRange(EalArguments(options));
        return args;
    }

    /// <summary>The EAL arguments (after <c>--</c>): lcores, memory, the PCI allow-list and the virtual devices.</summary>
    public static IReadOnlyList<string> EalArguments(OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var eal = new List<string> { "-l", options.DataplaneLcores };
        if (UsesHugepages(options))
        {
            // No shared runtime files: the container's file system is not shared with any secondary process.
            eal.Add("--in-memory");
        }
        else
        {
            eal.AddRange(["--no-huge", "-m", MiB(options.DataplaneDpdkMemory).ToString(CultureInfo.InvariantCulture)]);
        }
        var devices = Devices(options).ToList();
        var pci = devices.Where(IsPci).ToList();
        if (pci.Count == 0)
        {
            eal.Add("--no-pci");
        }
        foreach (var device in pci)
        {
            eal.AddRange(["-a", NormalisePci(device)]);
        }
        foreach (var device in devices.Where(d => !IsPci(d)))
        {
            eal.AddRange(["--vdev", device]);
        }
        return eal;
    }

    /// <summary>Whether DPDK's memory comes from hugepages (not <c>--dataplane-hugepage-size none</c>).</summary>
    public static bool UsesHugepages(OperatorOptions options) => options.DataplaneHugepageSize != "none";

    /// <summary>The CPU the dataplane requests: one core per EAL lcore.</summary>
    public static int LcoreCount(string lcores) => ExpandLcores(lcores).Count;

    /// <summary>
    /// Why the dataplane options cannot make a valid command, or null when they can. The command line checks this
    /// before the operator starts, so a DaemonSet that cannot start is never rendered from its flags.
    /// </summary>
    public static string? Validate(OperatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var (flag, device) in new[]
        {
            ("--dataplane-clear-port", options.DataplaneClearPort),
            ("--dataplane-cipher-port", options.DataplaneCipherPort),
            ("--dataplane-host-port", options.DataplaneHostPort),
            ("--dataplane-crypto-device", options.DataplaneCryptoDevice),
        })
        {
            if (device is not null && !DeviceSyntax().IsMatch(device))
            {
                return $"{flag}: '{device}' is not an EAL device (a PCI address or a vdev such as net_af_packet0,iface=eth1)";
            }
        }
        var ports = new[] { options.DataplaneClearPort, options.DataplaneCipherPort, options.DataplaneHostPort }.OfType<string>().Select(EthdevName).ToList();
        if (ports.Distinct(StringComparer.Ordinal).Count() != ports.Count)
        {
            return "the dataplane's clear, cipher and host ports must be different devices";
        }
        foreach (var (flag, mac) in new[] { ("--dataplane-cipher-next-hop-mac", options.DataplaneCipherNextHopMac), ("--dataplane-clear-next-hop-mac", options.DataplaneClearNextHopMac) })
        {
            if (mac is not null && !MacSyntax().IsMatch(mac))
            {
                return $"{flag}: '{mac}' is not an Ethernet address (aa:bb:cc:dd:ee:ff)";
            }
        }
        if (options.DataplaneCryptoDeviceName is { } name && !DeviceSyntax().IsMatch(name))
        {
            return $"--dataplane-crypto-device-name: '{name}' is not a device name";
        }
        if (!LcoresSyntax().IsMatch(options.DataplaneLcores) || ExpandLcores(options.DataplaneLcores).Count == 0)
        {
            return $"--dataplane-lcores: '{options.DataplaneLcores}' is not an lcore list (e.g. 0,1 or 2-3)";
        }
        if (options.DataplaneHugepageSize is not ("2Mi" or "1Gi" or "none"))
        {
            return $"--dataplane-hugepage-size: '{options.DataplaneHugepageSize}' is not 2Mi, 1Gi or none";
        }
        foreach (var (flag, quantity) in new[] { ("--dataplane-dpdk-memory", options.DataplaneDpdkMemory), ("--dataplane-memory", options.DataplaneMemory) })
        {
            if (!TryBytes(quantity, out var bytes) || bytes < 64L << 20)
            {
                return $"{flag}: '{quantity}' is not a memory quantity of at least 64Mi (e.g. 512Mi, 1Gi)";
            }
        }
        if (UsesHugepages(options) && options.DataplaneHugepageSize == "1Gi" && TryBytes(options.DataplaneDpdkMemory, out var huge) && huge % (1L << 30) != 0)
        {
            return $"--dataplane-dpdk-memory: '{options.DataplaneDpdkMemory}' is not a whole number of 1Gi hugepages";
        }
        return null;
    }

    /// <summary>The ethdev (or cryptodev) name DPDK gives a device: its name before any devargs, a PCI address in full form.</summary>
    public static string EthdevName(string device)
    {
        var name = device.Split(',', 2)[0];
        return IsPci(name) ? NormalisePci(name) : name;
    }

    /// <summary>Whether the device is a PCI address (<c>0000:3b:00.0</c> or <c>3b:00.0</c>, devargs allowed).</summary>
    public static bool IsPci(string device) => PciAddress().IsMatch(device.Split(',', 2)[0]);

    /// <summary>The memory of a quantity in whole MiB, rounded up; the quantity must be valid (see <see cref="Validate"/>).</summary>
    public static long MiB(string quantity) =>
        TryBytes(quantity, out var bytes) ? (bytes + (1L << 20) - 1) >> 20 : throw new FormatException($"'{quantity}' is not a memory quantity");

    private static string NormalisePci(string device) =>
        device.Split(',', 2)[0].Count(c => c == ':') == 1 ? "0000:" + device : device;

    private static IEnumerable<string> Devices(OperatorOptions options)
    {
        yield return options.DataplaneClearPort;
        yield return options.DataplaneCipherPort;
        if (options.DataplaneHostPort is { } host)
        {
            yield return host;
        }
        yield return options.DataplaneCryptoDevice;
    }

    private static List<int> ExpandLcores(string lcores)
    {
        var set = new SortedSet<int>();
        foreach (var part in lcores.Split(','))
        {
            var bounds = part.Split('-');
            if (!int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first) ||
                !int.TryParse(bounds[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last) || last < first || last - first > 1024)
            {
                return [];
            }
            for (var i = first; i <= last; i++)
            {
                set.Add(i);
            }
        }
        return [.. set];
    }

    private static bool TryBytes(string quantity, out long bytes)
    {
        bytes = 0;
        var match = QuantitySyntax().Match(quantity);
        if (!match.Success || !long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }
        long unit = match.Groups[2].Value switch
        {
            "" => 1,
            "k" => 1000,
            "M" => 1000 * 1000,
            "G" => 1000L * 1000 * 1000,
            "Ki" => 1L << 10,
            "Mi" => 1L << 20,
            "Gi" => 1L << 30,
            _ => 1L << 40,
        };
        if (number > long.MaxValue / unit)
        {
            return false;
        }
        bytes = number * unit;
        return true;
    }

    [GeneratedRegex(@"^[A-Za-z0-9_:.\-]+(,[^\s,]+)*$")]
    private static partial Regex DeviceSyntax();

    [GeneratedRegex(@"^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")]
    private static partial Regex PciAddress();

    [GeneratedRegex(@"^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$")]
    private static partial Regex MacSyntax();

    [GeneratedRegex(@"^\d+(-\d+)?(,\d+(-\d+)?)*$")]
    private static partial Regex LcoresSyntax();

    [GeneratedRegex(@"^(\d+)(k|M|G|Ki|Mi|Gi|Ti)?$")]
    private static partial Regex QuantitySyntax();
}
