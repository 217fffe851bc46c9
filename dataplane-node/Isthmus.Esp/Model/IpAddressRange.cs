using System.Net;
using System.Net.Sockets;

namespace Isthmus.Esp;

/// <summary>
/// An inclusive range of IPv4 or IPv6 addresses (an RFC 7296 §3.13.1 TS address range).
/// Both ends are of the same family.
/// </summary>
public sealed record IpAddressRange
{
    public IpAddressRange(IPAddress start, IPAddress end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        if (start.AddressFamily != end.AddressFamily || start.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("Both ends of an address range must be IPv4, or both IPv6.", nameof(end));
        }

        if (ToUInt128(start) > ToUInt128(end))
        {
            throw new ArgumentException($"Address range start {start} is above its end {end}.", nameof(start));
        }

        Start = start;
        End = end;
    }

    public IPAddress Start { get; }

    public IPAddress End { get; }

    public bool IsIPv6 => Start.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>All IPv4 addresses.</summary>
    public static IpAddressRange AnyIPv4 { get; } = new(IPAddress.Any, IPAddress.Broadcast);

    /// <summary>All IPv6 addresses.</summary>
    public static IpAddressRange AnyIPv6 { get; } = new(IPAddress.IPv6Any, IPAddress.Parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));

    /// <summary>A single address.</summary>
    public static IpAddressRange Single(IPAddress address) => new(address, address);

    /// <summary>The range covered by a CIDR prefix such as <c>10.1.0.0/16</c> or <c>fd00::/64</c>.</summary>
    public static IpAddressRange FromCidr(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        if (!IPNetwork.TryParse(cidr, out var network))
        {
            throw new FormatException($"'{cidr}' is not a CIDR prefix.");
        }

        int bits = network.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        UInt128 start = ToUInt128(network.BaseAddress);
        UInt128 hostMask = network.PrefixLength == bits ? UInt128.Zero : (UInt128.One << (bits - network.PrefixLength)) - 1;
        return new IpAddressRange(network.BaseAddress, FromUInt128(start | hostMask, network.BaseAddress.AddressFamily));
    }

    /// <summary>Parses <c>a.b.c.d/n</c>, <c>start-end</c> or a single address.</summary>
    public static IpAddressRange Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('/'))
        {
            return FromCidr(text);
        }

        int dash = text.IndexOf('-');
        if (dash > 0)
        {
            return new IpAddressRange(IPAddress.Parse(text[..dash].Trim()), IPAddress.Parse(text[(dash + 1)..].Trim()));
        }

        return Single(IPAddress.Parse(text.Trim()));
    }

    /// <summary>True when the address is of this range's family and within it.</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != Start.AddressFamily)
        {
            return false;
        }

        UInt128 value = ToUInt128(address);
        return value >= ToUInt128(Start) && value <= ToUInt128(End);
    }

    public override string ToString()
    {
        if (Start.Equals(End))
        {
            return Start.ToString();
        }

        UInt128 start = ToUInt128(Start);
        UInt128 size = ToUInt128(End) - start + 1;
        int bits = IsIPv6 ? 128 : 32;
        if (size != 0 && UInt128.IsPow2(size) && (start & (size - 1)) == 0)
        {
            return $"{Start}/{bits - (int)UInt128.Log2(size)}";
        }

        if (size == 0 && start == 0)
        {
            return $"{Start}/0";
        }

        return $"{Start}-{End}";
    }

    /// <summary>The address as a big-endian integer (IPv4 in the low 32 bits).</summary>
    public static UInt128 ToUInt128(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int length);
        UInt128 value = 0;
        for (int i = 0; i < length; i++)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    /// <summary>The inverse of <see cref="ToUInt128"/>.</summary>
    public static IPAddress FromUInt128(UInt128 value, AddressFamily family)
    {
        int length = family == AddressFamily.InterNetwork ? 4 : 16;
        Span<byte> bytes = stackalloc byte[length];
        for (int i = length - 1; i >= 0; i--)
        {
            bytes[i] = (byte)(value & 0xFF);
            value >>= 8;
        }

        return new IPAddress(bytes);
    }
}
