using System.Net;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Config;

public class AddressTextTests
{
    [Theory]
    [InlineData("10.1.0.0/16", "10.1.0.0", "10.1.255.255")]
    [InlineData("10.1.2.3/16", "10.1.0.0", "10.1.255.255")]
    [InlineData("192.0.2.7/32", "192.0.2.7", "192.0.2.7")]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255")]
    [InlineData("2001:db8::/32", "2001:db8::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")]
    [InlineData("2001:db8:1::/47", "2001:db8::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff")]
    [Trait("RFC", "7296 3.13.1")]
    public void Cidr_becomes_an_address_range(string cidr, string first, string last)
    {
        Assert.True(AddressText.TryParseCidr(cidr, out var start, out var end, out var error), error);
        Assert.Equal(IPAddress.Parse(first), start);
        Assert.Equal(IPAddress.Parse(last), end);
    }

    [Theory]
    [InlineData("10.1.0.0", "'10.1.0.0' is not a prefix: expected address/length, e.g. 10.1.0.0/16")]
    [InlineData("10.1/16", "'10.1/16' does not start with an IPv4 or IPv6 address")]
    [InlineData("10.1.0.0/33", "'10.1.0.0/33' has an invalid prefix length (0-32)")]
    [InlineData("2001:db8::/129", "'2001:db8::/129' has an invalid prefix length (0-128)")]
    [InlineData("10.1.0.0/", "'10.1.0.0/' has an invalid prefix length (0-32)")]
    public void Invalid_cidr_gets_an_error(string cidr, string expected)
    {
        Assert.False(AddressText.TryParseCidr(cidr, out _, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10.1")]
    [InlineData("256.1.1.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("example.com")]
    public void Loose_address_forms_are_rejected(string text)
    {
        Assert.False(AddressText.TryParseAddress(text, out _));
    }

    [Theory]
    [InlineData("10.1.0.0", "10.1.255.255", 0, 0, 65535, "10.1.0.0/16")]
    [InlineData("10.0.0.1", "10.0.0.9", 17, 53, 53, "10.0.0.1..10.0.0.9[udp/53]")]
    [InlineData("2001:db8::", "2001:db8::ffff", 58, 0, 65535, "2001:db8::/112[ipv6-icmp]")]
    [InlineData("10.0.0.0", "10.0.0.255", 6, 1000, 2000, "10.0.0.0/24[tcp/1000-2000]")]
    public void Selectors_print_like_strongswan(string start, string end, byte protocol, ushort startPort, ushort endPort, string expected)
    {
        var startAddress = IPAddress.Parse(start);
        var type = startAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? TsType.Ipv6AddrRange : TsType.Ipv4AddrRange;
        var ts = new TrafficSelector(type, protocol, startPort, endPort, startAddress, IPAddress.Parse(end));
        Assert.Equal(expected, TrafficSelectorText.Format(ts));
    }
}
