using System.Globalization;
using System.Net;
using Isthmus.Esp;

namespace Isthmus.Dataplane.Bench;

/// <summary>Command line of the benchmark entry point; everything after <c>--</c> goes to EAL unchanged.</summary>
internal sealed record BenchOptions
{
    public const string Usage =
        "usage: Isthmus.Dataplane.Bench --direction out|in --seconds N --warmup S --lcore L --rx-port P --tx-port P " +
        "--aead aes-128-gcm|aes-192-gcm|aes-256-gcm --key HEX --spi N --local-tunnel IP --remote-tunnel IP " +
        "--local-net CIDR --remote-net CIDR [--replay-window N] [--next-hop-mac MAC] [--burst N] -- EAL-ARGS";

    public required bool Outbound { get; init; }

    public required double Seconds { get; init; }

    public required double Warmup { get; init; }

    public required uint Lcore { get; init; }

    public required ushort RxPort { get; init; }

    public required ushort TxPort { get; init; }

    public required EspEncryptionAlgorithm Aead { get; init; }

    public required byte[] Key { get; init; }

    public required uint Spi { get; init; }

    public required IPAddress LocalTunnel { get; init; }

    public required IPAddress RemoteTunnel { get; init; }

    public required IpAddressRange LocalNet { get; init; }

    public required IpAddressRange RemoteNet { get; init; }

    public int ReplayWindow { get; init; } = 64;

    public byte[] NextHopMac { get; init; } = [0x02, 0, 0, 0, 0, 0x03];

    public int Burst { get; init; } = 32;

    public required string[] EalArguments { get; init; }

    /// <summary>Parses <paramref name="args"/>; on error returns null and the reason.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        for (; i < args.Length && args[i] != "--"; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error = $"expected '--name value', got '{args[i]}'";
                return null;
            }

            values[args[i][2..]] = args[i + 1];
        }

        string[] eal = i < args.Length ? args[(i + 1)..] : [];
        try
        {
            string Required(string name) => values.TryGetValue(name, out string? v) ? v : throw new FormatException($"--{name} is required");
            string direction = Required("direction");
            if (direction is not ("out" or "in"))
            {
                throw new FormatException("--direction must be out or in");
            }

            byte[] key = Convert.FromHexString(Required("key"));
            EspEncryptionAlgorithm aead = Required("aead") switch
            {
                "aes-128-gcm" => EspEncryptionAlgorithm.AesGcm16_128,
                "aes-192-gcm" => EspEncryptionAlgorithm.AesGcm16_192,
                "aes-256-gcm" => EspEncryptionAlgorithm.AesGcm16_256,
                string other => throw new FormatException($"--aead {other} is not supported (aes-128-gcm, aes-192-gcm, aes-256-gcm)"),
            };
            if (eal.Length == 0)
            {
                throw new FormatException("EAL arguments are required after --");
            }

            return new BenchOptions
            {
                Outbound = direction == "out",
                Seconds = double.Parse(Required("seconds"), CultureInfo.InvariantCulture),
                Warmup = double.Parse(values.GetValueOrDefault("warmup", "2"), CultureInfo.InvariantCulture),
                Lcore = uint.Parse(values.GetValueOrDefault("lcore", "0"), CultureInfo.InvariantCulture),
                RxPort = ushort.Parse(values.GetValueOrDefault("rx-port", "0"), CultureInfo.InvariantCulture),
                TxPort = ushort.Parse(values.GetValueOrDefault("tx-port", "1"), CultureInfo.InvariantCulture),
                Aead = aead,
                Key = key,
                Spi = uint.Parse(Required("spi"), CultureInfo.InvariantCulture),
                LocalTunnel = IPAddress.Parse(Required("local-tunnel")),
                RemoteTunnel = IPAddress.Parse(Required("remote-tunnel")),
                LocalNet = IpAddressRange.Parse(Required("local-net")),
                RemoteNet = IpAddressRange.Parse(Required("remote-net")),
                ReplayWindow = int.Parse(values.GetValueOrDefault("replay-window", "64"), CultureInfo.InvariantCulture),
                NextHopMac = ParseMac(values.GetValueOrDefault("next-hop-mac", "02:00:00:00:00:03")),
                Burst = int.Parse(values.GetValueOrDefault("burst", "32"), CultureInfo.InvariantCulture),
                EalArguments = eal,
            };
        }
        catch (FormatException e)
        {
            error = e.Message;
            return null;
        }
        catch (OverflowException e)
        {
            error = e.Message;
            return null;
        }
        catch (ArgumentException e)
        {
            error = e.Message;
            return null;
        }
    }

    private static byte[] ParseMac(string text)
    {
        string[] parts = text.Split(':');
        if (parts.Length != 6)
        {
            throw new FormatException($"--next-hop-mac '{text}' is not six colon-separated octets");
        }

        return parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }
}
