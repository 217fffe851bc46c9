using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>
/// An IKE identity as carried in IDi/IDr (RFC 7296 section 3.5): the ID type and the identification data
/// octets.
/// </summary>
public sealed class IkeIdentity
{
    public IkeIdentity(IdType type, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Type = type;
        Data = data;
    }

    public IdType Type { get; }

    /// <summary>The identification data as sent on the wire.</summary>
    public byte[] Data { get; }

    /// <summary>An ID_IPV4_ADDR or ID_IPV6_ADDR identity for <paramref name="address"/>.</summary>
    public static IkeIdentity FromAddress(IPAddress address) =>
        new(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IdType.Ipv6Addr : IdType.Ipv4Addr, address.GetAddressBytes());

    /// <summary>
    /// Reads an identity from its configuration text: IPv4/IPv6 addresses become their 4/16 octets,
    /// FQDN and USER_FQDN (RFC822) their ASCII text, KEY_ID either <c>0x</c>-prefixed hex or the UTF-8
    /// bytes of the text, DER_ASN1_DN the DER encoding of a distinguished name written like strongSwan's
    /// (<c>C=CH, O=Example, CN=gw</c>: the first RDN written is the first in the encoding).
    /// </summary>
    public static bool TryParse(IdType type, string? value, [NotNullWhen(true)] out IkeIdentity? identity, [NotNullWhen(false)] out string? error)
    {
        identity = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "empty identity";
            return false;
        }
        value = value.Trim();
        switch (type)
        {
            case IdType.Ipv4Addr or IdType.Ipv6Addr:
            {
                var wantV6 = type == IdType.Ipv6Addr;
                if (!AddressText.TryParseAddress(value, out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) != wantV6)
                {
                    error = $"'{value}' is not an {(wantV6 ? "IPv6" : "IPv4")} address";
                    return false;
                }
                identity = FromAddress(address);
                break;
            }
            case IdType.Fqdn:
                if (!IsPrintableAscii(value) || value.Contains('@') || value.Contains(' '))
                {
                    error = $"'{value}' is not a domain name (ASCII, no '@'; write internationalized names in their xn-- form)";
                    return false;
                }
                identity = new IkeIdentity(type, Encoding.ASCII.GetBytes(value));
                break;
            case IdType.Rfc822Addr:
                if (!IsPrintableAscii(value) || value.IndexOf('@') is <= 0 || value.EndsWith('@') || value.Contains(' '))
                {
                    error = $"'{value}' is not a user@domain identity (ASCII)";
                    return false;
                }
                identity = new IkeIdentity(type, Encoding.ASCII.GetBytes(value));
                break;
            case IdType.KeyId:
                if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    var hex = value[2..];
                    if (hex.Length == 0 || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigit))
                    {
                        error = $"'{value}' is not an even number of hex digits after 0x";
                        return false;
                    }
                    identity = new IkeIdentity(type, Convert.FromHexString(hex));
                }
                else
                {
                    identity = new IkeIdentity(type, Encoding.UTF8.GetBytes(value));
                }
                break;
            case IdType.DerAsn1Dn:
                if (!TryEncodeDn(value, out var der, out error))
                {
                    return false;
                }
                identity = new IkeIdentity(type, der);
                break;
            default:
                error = $"identity type {type} is not supported";
                return false;
        }
        error = null;
        return true;
    }

    /// <summary>As <see cref="TryParse"/>, throwing <see cref="FormatException"/> on bad input.</summary>
    public static IkeIdentity Parse(IdType type, string value) =>
        TryParse(type, value, out var identity, out var error) ? identity : throw new FormatException(error);

    /// <summary>
    /// Whether <paramref name="other"/> (typically the identity the peer sent) is this identity: same type,
    /// and same data, comparing domain names case-insensitively and distinguished names by their RDNs
    /// (attribute types and values, case-insensitively).
    /// </summary>
    public bool Matches(IkeIdentity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Type != Type)
        {
            return false;
        }
        switch (Type)
        {
            case IdType.Fqdn or IdType.Rfc822Addr:
                return Data.Length == other.Data.Length && Encoding.ASCII.GetString(Data).Equals(Encoding.ASCII.GetString(other.Data), StringComparison.OrdinalIgnoreCase);
            case IdType.DerAsn1Dn:
                if (Data.AsSpan().SequenceEqual(other.Data))
                {
                    return true;
                }
                var mine = DecodeDn(Data);
                var theirs = DecodeDn(other.Data);
                return mine is not null && theirs is not null && mine.Equals(theirs, StringComparison.OrdinalIgnoreCase);
            default:
                return Data.AsSpan().SequenceEqual(other.Data);
        }
    }

    /// <summary>
    /// The identity as strongSwan prints it (e.g. in <c>swanctl --list-sas</c>): the address, domain name or
    /// user@domain, the DN as <c>C=CH, O=Example, CN=gw</c>, a KEY_ID as text when printable and otherwise
    /// as <c>0x</c> and hex.
    /// </summary>
    public override string ToString()
    {
        switch (Type)
        {
            case IdType.Ipv4Addr when Data.Length == 4:
            case IdType.Ipv6Addr when Data.Length == 16:
                return new IPAddress(Data).ToString();
            case IdType.Fqdn or IdType.Rfc822Addr when IsPrintableAscii(Data):
                return Encoding.ASCII.GetString(Data);
            case IdType.KeyId when IsPrintableAscii(Data) && Data.Length > 0:
                return Encoding.ASCII.GetString(Data);
            case IdType.DerAsn1Dn when DecodeDn(Data) is { } dn:
                return dn;
            default:
                return "0x" + Convert.ToHexStringLower(Data);
        }
    }

    private static bool IsPrintableAscii(string s) => s.Length > 0 && s.All(c => c is >= ' ' and <= '~');

    private static bool IsPrintableAscii(byte[] b) => b.All(c => c is >= 0x20 and <= 0x7e);

    private static string? DecodeDn(byte[] der)
    {
        try
        {
            return new X500DistinguishedName(der).Decode(X500DistinguishedNameFlags.None);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static bool TryEncodeDn(string text, [NotNullWhen(true)] out byte[]? der, [NotNullWhen(false)] out string? error)
    {
        der = null;
        // .NET encodes the last RDN of the string first (Windows display order); strongSwan encodes them as
        // written. Split at unquoted, unescaped commas and reverse so the encoding follows the written order.
        var parts = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(c).Append(text[++i]);
                continue;
            }
            if (c == '"')
            {
                quoted = !quoted;
            }
            if (c == ',' && !quoted)
            {
                parts.Add(current.ToString().Trim());
                current.Clear();
                continue;
            }
            current.Append(c);
        }
        parts.Add(current.ToString().Trim());
        if (quoted || parts.Any(p => p.Length == 0 || !p.Contains('=')))
        {
            error = $"'{text}' is not a distinguished name such as 'C=CH, O=Example, CN=gw.example.com'";
            return false;
        }
        parts.Reverse();
        try
        {
            der = new X500DistinguishedName(string.Join(", ", parts)).RawData;
        }
        catch (CryptographicException)
        {
            error = $"'{text}' is not a distinguished name such as 'C=CH, O=Example, CN=gw.example.com'";
            return false;
        }
        error = null;
        return true;
    }
}
