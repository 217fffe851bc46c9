using System.Globalization;

namespace Isthmus.Dataplane.Hosting;

/// <summary>
/// Options of <c>serve --backend dpdk</c>: which EAL devices are the clear, cipher and host ports, the
/// crypto device, the next-hop Ethernet addresses, where the poll loop runs, and the EAL arguments
/// (everything after <c>--</c>, passed to rte_eal_init unchanged).
/// <code>
/// isthmus-dataplane serve --socket /run/isthmus/dataplane.sock --backend dpdk \
///     --clear-port net_tap0 --cipher-port net_af_packet0 --crypto-device crypto_aesni_mb0 \
///     --cipher-next-hop-mac 02:00:00:00:00:02 [--clear-next-hop-mac MAC] [--host-port net_tap1] \
///     [--lcore 1] [--burst 32] [--idle-sleep-us 0] [--mbufs 16383] [--max-sas 4096] \
///     -- -l 0,1 --in-memory --no-pci --vdev net_tap0,iface=isth0 \
///        --vdev net_af_packet0,iface=eth1 --vdev crypto_aesni_mb0
/// </code>
/// </summary>
public sealed record DpdkServeOptions
{
    /// <summary>The option names <see cref="Parse"/> knows (without the leading <c>--</c>).</summary>
    public static IReadOnlyCollection<string> Names { get; } =
    [
        "clear-port", "cipher-port", "host-port", "crypto-device", "cipher-next-hop-mac", "clear-next-hop-mac",
        "lcore", "burst", "idle-sleep-us", "mbufs", "max-sas",
    ];

    /// <summary>The clear (LAN) port: an ethdev name ("net_tap0", "net_af_packet1", "0000:03:00.0") or a port number.</summary>
    public required string ClearPort { get; init; }

    /// <summary>The cipher (WAN) port, named like <see cref="ClearPort"/>.</summary>
    public required string CipherPort { get; init; }

    /// <summary>The port toward the host kernel (usually net_tap) for IKE, NAT keepalives and ARP from the cipher side; null drops them, counted.</summary>
    public string? HostPort { get; init; }

    /// <summary>The cryptodev name, e.g. "crypto_aesni_gcm0", "crypto_aesni_mb0", "crypto_openssl0".</summary>
    public required string CryptoDevice { get; init; }

    /// <summary>Destination Ethernet address of ESP frames (the peer gateway or the WAN router).</summary>
    public required byte[] CipherNextHopMac { get; init; }

    /// <summary>
    /// Destination Ethernet address of decrypted frames; null means the clear port's own address,
    /// which is right for net_tap (the kernel side of a DPDK tap shares the port's address).
    /// </summary>
    public byte[]? ClearNextHopMac { get; init; }

    /// <summary>The EAL worker lcore of the poll loop; null takes the first worker lcore, or a registered thread when EAL has none.</summary>
    public uint? Lcore { get; init; }

    public int Burst { get; init; } = 32;

    /// <summary>Microseconds the poll loop sleeps when idle (0: poll without pause, for a dedicated core).</summary>
    public int IdleSleepMicroseconds { get; init; }

    /// <summary>Packet buffers in the mbuf pool shared by all ports.</summary>
    public uint Mbufs { get; init; } = 16383;

    /// <summary>Largest number of SAs (both directions) at once; also sizes the crypto session pool.</summary>
    public int MaxSas { get; init; } = 4096;

    /// <summary>The EAL arguments (after <c>--</c>).</summary>
    public required IReadOnlyList<string> EalArguments { get; init; }

    /// <summary>Parses the <c>serve</c> settings; returns null and the reason when they are unusable.</summary>
    public static DpdkServeOptions? Parse(IReadOnlyDictionary<string, string> settings, IReadOnlyList<string> ealArguments, out string error)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(ealArguments);
        error = string.Empty;
        string? Get(string name) => settings.TryGetValue(name, out string? value) && value.Length > 0 ? value : null;

        var missing = new[] { "clear-port", "cipher-port", "crypto-device", "cipher-next-hop-mac" }.Where(n => Get(n) is null).ToArray();
        if (missing.Length > 0)
        {
            error = $"the dpdk backend needs {string.Join(", ", missing.Select(n => "--" + n))}";
            return null;
        }

        if (ealArguments.Count == 0)
        {
            error = "the dpdk backend needs EAL arguments after '--' (lcores, memory, --vdev for virtual ports and the crypto device)";
            return null;
        }

        if (!TryParseMac(Get("cipher-next-hop-mac")!, out byte[] cipherNextHop))
        {
            error = $"--cipher-next-hop-mac '{Get("cipher-next-hop-mac")}' is not an Ethernet address (aa:bb:cc:dd:ee:ff)";
            return null;
        }

        byte[]? clearNextHop = null;
        if (Get("clear-next-hop-mac") is { } clearText)
        {
            if (!TryParseMac(clearText, out byte[] parsed))
            {
                error = $"--clear-next-hop-mac '{clearText}' is not an Ethernet address (aa:bb:cc:dd:ee:ff)";
                return null;
            }

            clearNextHop = parsed;
        }

        uint? lcore = null;
        if (Get("lcore") is { } lcoreText)
        {
            if (!uint.TryParse(lcoreText, NumberStyles.None, CultureInfo.InvariantCulture, out uint parsedLcore))
            {
                error = $"--lcore '{lcoreText}' is not an lcore number";
                return null;
            }

            lcore = parsedLcore;
        }

        if (!TryInt(Get("burst"), 32, 1, 256, "burst", out int burst, ref error) ||
            !TryInt(Get("idle-sleep-us"), 0, 0, 1_000_000, "idle-sleep-us", out int idle, ref error) ||
            !TryInt(Get("mbufs"), 16383, 1023, 1 << 22, "mbufs", out int mbufs, ref error) ||
            !TryInt(Get("max-sas"), 4096, 2, 1 << 20, "max-sas", out int maxSas, ref error))
        {
            return null;
        }

        string[] ports = [Get("clear-port")!, Get("cipher-port")!, .. Get("host-port") is { } h ? new[] { h } : []];
        if (ports.Distinct(StringComparer.Ordinal).Count() != ports.Length)
        {
            error = "the clear, cipher and host ports must be different devices";
            return null;
        }

        return new DpdkServeOptions
        {
            ClearPort = Get("clear-port")!,
            CipherPort = Get("cipher-port")!,
            HostPort = Get("host-port"),
            CryptoDevice = Get("crypto-device")!,
            CipherNextHopMac = cipherNextHop,
            ClearNextHopMac = clearNextHop,
            Lcore = lcore,
            Burst = burst,
            IdleSleepMicroseconds = idle,
            Mbufs = (uint)mbufs,
            MaxSas = maxSas,
            EalArguments = ealArguments.ToArray(),
        };
    }

    /// <summary>Parses "aa:bb:cc:dd:ee:ff" (or with '-'); refuses anything else.</summary>
    public static bool TryParseMac(string text, out byte[] mac)
    {
        mac = [];
        string[] parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        if (parts.Length != 6)
        {
            return false;
        }

        var bytes = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        mac = bytes;
        return true;
    }

    /// <summary>"aa:bb:cc:dd:ee:ff".</summary>
    public static string FormatMac(ReadOnlySpan<byte> mac) => string.Join(':', mac.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static bool TryInt(string? text, int fallback, int min, int max, string name, out int value, ref string error)
    {
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            error = $"--{name} '{text}' must be a number from {min} to {max}";
            return false;
        }

        return true;
    }
}
