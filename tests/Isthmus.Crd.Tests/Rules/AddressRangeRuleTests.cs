using System.Net;
using System.Text.Json.Nodes;
using Isthmus.Crd.Tests.Validation;

namespace Isthmus.Crd.Tests.Rules;

/// <summary>
/// The addrStart ≤ addrEnd rule (CEL has no order on IPs, so the rule compares bit by bit through CIDR
/// containment) against a plain byte comparison, for edge cases and random pairs of both families.
/// </summary>
public sealed class AddressRangeRuleTests
{
    private static readonly string Rule = CrdRules.ByMessage("TrafficSelector", "addrStart must not be greater than addrEnd");

    private static bool RuleAccepts(IPAddress start, IPAddress end) =>
        Evaluate(new JsonObject { ["addrStart"] = start.ToString(), ["addrEnd"] = end.ToString() });

    private static bool Evaluate(JsonObject entry)
    {
        var outcome = CelRuleEvaluator.Evaluate(Rule, entry);
        Assert.Null(outcome.Error);
        return outcome.Valid;
    }

    private static int Compare(IPAddress a, IPAddress b) =>
        a.GetAddressBytes().AsSpan().SequenceCompareTo(b.GetAddressBytes());

    [Theory]
    [Trait("RFC", "7296 3.13.1")]
    [InlineData("10.3.0.10", "10.3.0.20", true)]
    [InlineData("10.3.0.20", "10.3.0.10", false)]
    [InlineData("10.3.0.10", "10.3.0.10", true)]
    [InlineData("0.0.0.0", "255.255.255.255", true)]
    [InlineData("255.255.255.255", "0.0.0.0", false)]
    [InlineData("10.0.0.9", "10.0.0.10", true)]
    [InlineData("10.0.1.0", "10.0.0.255", false)]
    [InlineData("2001:db8::1", "2001:db8::ffff", true)]
    [InlineData("2001:db8::1:0", "2001:db8::ffff", false)]
    [InlineData("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8::ffff", "2001:db8::ffff", true)]
    public void Range_order_is_checked_on_the_numeric_address(string start, string end, bool accepted)
    {
        Assert.Equal(accepted, RuleAccepts(IPAddress.Parse(start), IPAddress.Parse(end)));
    }

    [Fact]
    [Trait("RFC", "7296 3.13.1")]
    public void Rule_agrees_with_byte_order_on_random_pairs()
    {
        var random = new Random(7296);
        for (var i = 0; i < 150; i++)
        {
            var length = i % 2 == 0 ? 4 : 16;
            var a = new byte[length];
            random.NextBytes(a);
            var b = (byte[])a.Clone();
            // Share a random-length prefix so that the first differing bit lands anywhere.
            var from = random.Next(length);
            var tail = new byte[length - from];
            random.NextBytes(tail);
            tail.CopyTo(b, from);
            var start = new IPAddress(a);
            var end = new IPAddress(b);
            if (start.IsIPv4MappedToIPv6 || end.IsIPv4MappedToIPv6)
            {
                continue;
            }
            Assert.True(Compare(start, end) <= 0 == RuleAccepts(start, end), $"{start} .. {end}");
        }
    }

    [Fact]
    public void Rule_does_not_judge_mixed_families_or_invalid_addresses_left_to_their_own_rules()
    {
        Assert.True(Evaluate(new JsonObject { ["addrStart"] = "10.0.0.1", ["addrEnd"] = "2001:db8::1" }));
        Assert.True(Evaluate(new JsonObject { ["addrStart"] = "10.0.0.300", ["addrEnd"] = "10.0.0.1" }));
        Assert.True(Evaluate(new JsonObject { ["cidr"] = "10.0.0.0/8" }));
    }
}
