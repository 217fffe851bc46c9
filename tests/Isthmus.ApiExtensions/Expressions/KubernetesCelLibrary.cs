using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Cel;

namespace Isthmus.ApiExtensions.Expressions;

/// <summary>An IP address value of the Kubernetes CEL IP library (<c>ip('10.0.0.1')</c>).</summary>
public sealed record CelIp(IPAddress Address)
{
    public long Family => Address.AddressFamily == AddressFamily.InterNetwork ? 4 : 6;

    public int Bits => Address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
}

/// <summary>A CIDR value of the Kubernetes CEL CIDR library (<c>cidr('10.0.0.0/8')</c>): the address as written and the prefix length.</summary>
public sealed record CelCidr(CelIp Ip, int PrefixLength)
{
    public CelCidr Masked() => new(new CelIp(Mask(Ip.Address, PrefixLength)), PrefixLength);

    public bool Contains(CelIp other) =>
        other.Family == Ip.Family && Mask(other.Address, PrefixLength).Equals(Mask(Ip.Address, PrefixLength));

    private static IPAddress Mask(IPAddress address, int prefixLength)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}

/// <summary>
/// The parts of the Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library, Kubernetes 1.31+) that the
/// Isthmus CRD rules use, registered on the <c>Cel</c> package's environment: <c>isIP</c>, <c>ip</c>,
/// <c>ip.family()</c>, <c>isCIDR</c>, <c>cidr</c>, <c>cidr.containsIP()</c>, <c>cidr.containsCIDR()</c>,
/// <c>cidr.ip()</c>, <c>cidr.masked()</c>, <c>cidr.prefixLength()</c>. Parsing is as strict as Kubernetes'
/// (Go netip): dotted-quad IPv4 without leading zeros, IPv6 without a zone, no IPv4-mapped IPv6.
/// </summary>
public static partial class KubernetesCelLibrary
{
    public static CelEnvironment CreateEnvironment()
    {
        var env = new CelEnvironment(null, null);
        env.RegisterFunction("isIP", [typeof(string)], a => TryParseIp((string)a[0]!, out _));
        env.RegisterFunction("ip", [typeof(string)], a => ParseIp((string)a[0]!));
        env.RegisterFunction("family", [typeof(CelIp)], a => ((CelIp)a[0]!).Family);
        env.RegisterFunction("isCIDR", [typeof(string)], a => TryParseCidr((string)a[0]!, out _));
        env.RegisterFunction("cidr", [typeof(string)], a => ParseCidr((string)a[0]!));
        env.RegisterFunction("containsIP", [typeof(CelCidr), typeof(string)], a => ((CelCidr)a[0]!).Contains(ParseIp((string)a[1]!)));
        env.RegisterFunction("containsIP", [typeof(CelCidr), typeof(CelIp)], a => ((CelCidr)a[0]!).Contains((CelIp)a[1]!));
        env.RegisterFunction("containsCIDR", [typeof(CelCidr), typeof(string)], a => ContainsCidr((CelCidr)a[0]!, ParseCidr((string)a[1]!)));
        env.RegisterFunction("containsCIDR", [typeof(CelCidr), typeof(CelCidr)], a => ContainsCidr((CelCidr)a[0]!, (CelCidr)a[1]!));
        env.RegisterFunction("ip", [typeof(CelCidr)], a => ((CelCidr)a[0]!).Ip);
        env.RegisterFunction("masked", [typeof(CelCidr)], a => ((CelCidr)a[0]!).Masked());
        env.RegisterFunction("prefixLength", [typeof(CelCidr)], a => (long)((CelCidr)a[0]!).PrefixLength);
        return env;
    }

    public static bool TryParseIp(string text, out CelIp ip)
    {
        ip = null!;
        if (text.Contains(':'))
        {
            if (text.Contains('%') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6 || v6.IsIPv4MappedToIPv6)
            {
                return false;
            }
            ip = new CelIp(v6);
            return true;
        }
        if (!DottedQuad().IsMatch(text))
        {
            return false;
        }
        var parts = text.Split('.');
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if ((parts[i].Length > 1 && parts[i][0] == '0') || !byte.TryParse(parts[i], out bytes[i]))
            {
                return false;
            }
        }
        ip = new CelIp(new IPAddress(bytes));
        return true;
    }

    public static bool TryParseCidr(string text, out CelCidr cidr)
    {
        cidr = null!;
        var slash = text.IndexOf('/');
        if (slash < 0 || !TryParseIp(text[..slash], out var ip))
        {
            return false;
        }
        var prefix = text[(slash + 1)..];
        if (!PrefixDigits().IsMatch(prefix) || !int.TryParse(prefix, out var length) || length > ip.Bits)
        {
            return false;
        }
        cidr = new CelCidr(ip, length);
        return true;
    }

    private static CelIp ParseIp(string text) =>
        TryParseIp(text, out var ip) ? ip : throw new ArgumentException($"IP Address '{text}' parse error during conversion from string");

    private static CelCidr ParseCidr(string text) =>
        TryParseCidr(text, out var cidr) ? cidr : throw new ArgumentException($"network address '{text}' parse error during conversion from string");

    private static bool ContainsCidr(CelCidr outer, CelCidr inner) =>
        inner.PrefixLength >= outer.PrefixLength && outer.Contains(inner.Ip);

    [GeneratedRegex(@"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$")]
    private static partial Regex DottedQuad();

    [GeneratedRegex("^(0|[1-9][0-9]{0,2})$")]
    private static partial Regex PrefixDigits();
}
