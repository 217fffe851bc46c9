using System.Security.Cryptography.X509Certificates;
using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Config;

public class IkeIdentityTests
{
    [Theory]
    [InlineData(IdType.Ipv4Addr, "192.0.2.1", "C0000201", "192.0.2.1")]
    [InlineData(IdType.Ipv6Addr, "2001:db8::1", "20010DB8000000000000000000000001", "2001:db8::1")]
    [InlineData(IdType.Fqdn, "hq.example.com", "68712E6578616D706C652E636F6D", "hq.example.com")]
    [InlineData(IdType.Rfc822Addr, "gw@example.com", "6777406578616D706C652E636F6D", "gw@example.com")]
    [InlineData(IdType.KeyId, "0x0102abff", "0102ABFF", "0x0102abff")]
    [InlineData(IdType.KeyId, "branch-7", "6272616E63682D37", "branch-7")]
    [Trait("RFC", "7296 3.5")]
    public void Identity_text_becomes_wire_data_and_prints_back(IdType type, string text, string hex, string printed)
    {
        var identity = IkeIdentity.Parse(type, text);
        Assert.Equal(type, identity.Type);
        Assert.Equal(hex, Convert.ToHexString(identity.Data));
        Assert.Equal(printed, identity.ToString());
    }

    [Fact]
    [Trait("RFC", "7296 3.5")]
    public void Distinguished_name_is_der_encoded_in_written_order()
    {
        var identity = IkeIdentity.Parse(IdType.DerAsn1Dn, "C=CH, O=Example AG, CN=gw.example.com");
        var rdns = new X500DistinguishedName(identity.Data).EnumerateRelativeDistinguishedNames(reversed: false)
            .Select(r => $"{r.GetSingleElementType().Value}={r.GetSingleElementValue()}").ToList();
        Assert.Equal(["2.5.4.6=CH", "2.5.4.10=Example AG", "2.5.4.3=gw.example.com"], rdns);
        Assert.Equal("C=CH, O=Example AG, CN=gw.example.com", identity.ToString());
    }

    [Fact]
    public void Distinguished_name_with_quoted_comma_stays_one_rdn()
    {
        var identity = IkeIdentity.Parse(IdType.DerAsn1Dn, "C=CH, O=\"Example, Inc\", CN=gw");
        var rdns = new X500DistinguishedName(identity.Data).EnumerateRelativeDistinguishedNames(reversed: false).ToList();
        Assert.Equal(3, rdns.Count);
        Assert.Equal("Example, Inc", rdns[1].GetSingleElementValue());
    }

    [Theory]
    [InlineData(IdType.Ipv4Addr, "10.1", "'10.1' is not an IPv4 address")]
    [InlineData(IdType.Ipv4Addr, "2001:db8::1", "'2001:db8::1' is not an IPv4 address")]
    [InlineData(IdType.Ipv6Addr, "192.0.2.1", "'192.0.2.1' is not an IPv6 address")]
    [InlineData(IdType.Fqdn, "gw@example.com", "'gw@example.com' is not a domain name (ASCII, no '@'; write internationalized names in their xn-- form)")]
    [InlineData(IdType.Fqdn, "zürich.example", "'zürich.example' is not a domain name (ASCII, no '@'; write internationalized names in their xn-- form)")]
    [InlineData(IdType.Rfc822Addr, "example.com", "'example.com' is not a user@domain identity (ASCII)")]
    [InlineData(IdType.KeyId, "0x123", "'0x123' is not an even number of hex digits after 0x")]
    [InlineData(IdType.DerAsn1Dn, "just words", "'just words' is not a distinguished name such as 'C=CH, O=Example, CN=gw.example.com'")]
    [InlineData(IdType.DerAsn1Dn, "C=CH, XYZ=1", "'C=CH, XYZ=1' is not a distinguished name such as 'C=CH, O=Example, CN=gw.example.com'")]
    [InlineData(IdType.Fqdn, "", "empty identity")]
    [InlineData(IdType.DerAsn1Gn, "x", "identity type DerAsn1Gn is not supported")]
    public void Invalid_identity_text_gets_an_error(IdType type, string text, string expected)
    {
        Assert.False(IkeIdentity.TryParse(type, text, out var identity, out var error));
        Assert.Null(identity);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Fqdn_matches_case_insensitively_but_not_across_types()
    {
        var configured = IkeIdentity.Parse(IdType.Fqdn, "Branch.Example.com");
        Assert.True(configured.Matches(IkeIdentity.Parse(IdType.Fqdn, "branch.example.COM")));
        Assert.False(configured.Matches(IkeIdentity.Parse(IdType.Fqdn, "branch2.example.com")));
        Assert.False(configured.Matches(IkeIdentity.Parse(IdType.Rfc822Addr, "x@branch.example.com")));
    }

    [Fact]
    public void Distinguished_names_match_by_content()
    {
        var configured = IkeIdentity.Parse(IdType.DerAsn1Dn, "C=CH, O=Example AG, CN=gw");
        Assert.True(configured.Matches(IkeIdentity.Parse(IdType.DerAsn1Dn, "C=ch, O=example ag, CN=GW")));
        Assert.False(configured.Matches(IkeIdentity.Parse(IdType.DerAsn1Dn, "C=CH, O=Example AG, CN=other")));
        Assert.False(configured.Matches(new IkeIdentity(IdType.DerAsn1Dn, [0x30, 0x03, 0xff])));
    }

    [Fact]
    public void Address_identities_match_by_octets()
    {
        var configured = IkeIdentity.Parse(IdType.Ipv6Addr, "2001:db8::1");
        Assert.True(configured.Matches(IkeIdentity.Parse(IdType.Ipv6Addr, "2001:0db8:0:0::1")));
        Assert.False(configured.Matches(IkeIdentity.Parse(IdType.Ipv6Addr, "2001:db8::2")));
    }

    [Fact]
    public void Binary_key_id_prints_as_hex()
    {
        Assert.Equal("0x00ff10", new IkeIdentity(IdType.KeyId, [0x00, 0xff, 0x10]).ToString());
    }
}
