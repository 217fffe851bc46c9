using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Isthmus.Ike.Config;

/// <summary>
/// Strict parsing of IP addresses and prefixes as they are written in configuration: IPv4 only as four
/// dotted decimals (<see cref="IPAddress.TryParse(string?, out IPAddress?)"/> would also take "10" or
/// "10.1"), IPv6 without a zone.
/// </summary>
public static class AddressText
{
    /// <summary>Parses an IPv4 dotted-quad or an IPv6 address.</summary>
    public static bool TryParseAddress(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Contains('%'))
        {
            return false;
        }
        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }
        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit)))
        {
            return false;
        }
        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    /// <summary>
    /// Parses a prefix such as <c>10.1.0.0/16</c> or <c>2001:db8::/32</c> into its first and last address.
    /// Host bits set in the address are cleared (<c>10.1.2.3/16</c> is 10.1.0.0-10.1.255.255), as strongSwan does.
    /// </summary>
    public static bool TryParseCidr(string? text, [NotNullWhen(true)] out IPAddress? first, [NotNullWhen(true)] out IPAddress? last, [NotNullWhen(false)] out string? error)
    {
        first = last = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty prefix";
            return false;
        }
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            error = $"'{text}' is not a prefix: expected address/length, e.g. 10.1.0.0/16";
            return false;
        }
        if (!TryParseAddress(text[..slash], out var address))
        {
            error = $"'{text}' does not start with an IPv4 or IPv6 address";
            return false;
        }
        var bytes = address.GetAddressBytes();
        var maxLength = bytes.Length * 8;
        var lengthText = text[(slash + 1)..];
        if (lengthText.Length is 0 or > 3 || !lengthText.All(char.IsAsciiDigit) || int.Parse(lengthText) > maxLength)
        {
            error = $"'{text}' has an invalid prefix length (0-{maxLength})";
            return false;
        }
        var length = int.Parse(lengthText);
        var low = (byte[])bytes.Clone();
        var high = (byte[])bytes.Clone();
        for (var bit = length; bit < maxLength; bit++)
        {
            var mask = (byte)(0x80 >> (bit % 8));
            low[bit / 8] &= (byte)~mask;
            high[bit / 8] |= mask;
        }
        first = new IPAddress(low);
        last = new IPAddress(high);
        error = null;
        return true;
    }

    /// <summary>Compares two addresses of the same family as unsigned big-endian numbers.</summary>
    public static int Compare(IPAddress a, IPAddress b)
    {
        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        if (x.Length != y.Length)
        {
            return x.Length.CompareTo(y.Length);
        }
        return x.AsSpan().SequenceCompareTo(y);
    }
}
