using Isthmus.Dpdk.Engine;
using Isthmus.Esp;

namespace Isthmus.Dpdk.Tests;

public sealed class AclSpdTests
{
    [Theory]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1-2001:db8::6", "2001:db8::1/128 2001:db8::2/127 2001:db8::4/127 2001:db8::6/128")]
    [InlineData("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "::/0")]
    [InlineData("::1-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", null)]
    [Trait("RFC", "4301 4.4.1.2")]
    public void IPv6_ranges_become_the_exact_set_of_prefixes_rte_acl_can_match(string range, string? expected)
    {
        var prefixes = AclSpd.Prefixes(IpAddressRange.Parse(range));
        if (expected is not null)
        {
            string actual = string.Join(' ', prefixes.Select(p => $"{IpAddressRange.FromUInt128(p.Prefix, System.Net.Sockets.AddressFamily.InterNetworkV6)}/{p.Length}"));
            Assert.Equal(expected, actual);
        }

        // The prefixes tile the range exactly: contiguous, no gap, no overlap.
        var r = IpAddressRange.Parse(range);
        UInt128 next = IpAddressRange.ToUInt128(r.Start);
        foreach (var (prefix, length) in prefixes)
        {
            Assert.Equal(next, prefix);
            next = prefix + (length == 0 ? UInt128.MaxValue : (UInt128.One << (128 - length)) - 1);
            if (next != UInt128.MaxValue)
            {
                next++;
            }
        }

        Assert.True(next == UInt128.MaxValue || next - 1 == IpAddressRange.ToUInt128(r.End));
        Assert.Equal(expected is null ? 128 : prefixes.Count, prefixes.Count);
    }
}
