using System.Text.Json.Nodes;
using Isthmus.CrdGen;
using Isthmus.ApiExtensions.Expressions;
using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;

namespace Isthmus.Crd.Tests.Rules;

/// <summary>
/// The proposal rules of the CRD against the IKE daemon's own parser (one keyword table): the API server
/// never rejects a proposal the daemon accepts, and rejects every proposal with an unknown or unsupported
/// keyword at apply time.
/// </summary>
public sealed class ProposalRuleTests
{
    private static readonly string IkeRule = CrdRules.ByMessage("IpsecTunnel", "ike.proposals:");
    private static readonly string EspRule = CrdRules.ByMessage("IpsecTunnel", "child.proposals:");

    private static bool Accepts(string rule, string proposal)
    {
        var outcome = CelRuleEvaluator.Evaluate(rule, new JsonArray(proposal));
        Assert.Null(outcome.Error);
        return outcome.Valid;
    }

    public static IEnumerable<string> Corpus()
    {
        string[] encryption = ["aes128", "aes256", "aes256gcm16", "aes128gcm16", "chacha20poly1305", "3des", "blowfish", "aes257", "des", "null", "aes128gmac", "AES256GCM16"];
        string[] integrity = ["", "sha256", "sha1", "sha512", "md5", "sha3"];
        string[] prf = ["", "prfsha256", "prfsha384", "prfmd5"];
        string[] group = ["", "ecp256", "ecp384", "modp2048", "modp1024", "curve25519", "x448", "modp1024s160", "ecp257"];
        string[] esn = ["", "esn", "noesn"];
        foreach (var e in encryption)
        foreach (var i in integrity)
        foreach (var p in prf)
        foreach (var g in group)
        foreach (var n in esn)
        {
            yield return string.Join("-", new[] { e, i, p, g, n }.Where(s => s.Length > 0));
        }
    }

    [Fact]
    [Trait("RFC", "7296 3.3.2")]
    public void Crd_accepts_every_proposal_the_ike_parser_accepts()
    {
        foreach (var proposal in Corpus().Concat(TunnelDefaults.IkeProposals).Concat(TunnelDefaults.EspProposals))
        {
            if (ProposalParser.TryParse(proposal, ProtocolId.Ike, out _, out _))
            {
                Assert.True(Accepts(IkeRule, proposal), $"IKE proposal '{proposal}' is accepted by the daemon but rejected by the CRD");
            }
            if (ProposalParser.TryParse(proposal, ProtocolId.Esp, out _, out _))
            {
                Assert.True(Accepts(EspRule, proposal), $"ESP proposal '{proposal}' is accepted by the daemon but rejected by the CRD");
            }
        }
    }

    [Fact]
    [Trait("RFC", "8247 2.3")]
    public void Crd_rejects_every_proposal_with_an_unknown_or_unsupported_keyword()
    {
        var checkedCount = 0;
        foreach (var proposal in Corpus())
        {
            foreach (var (protocol, rule) in new[] { (ProtocolId.Ike, IkeRule), (ProtocolId.Esp, EspRule) })
            {
                if (!ProposalParser.TryParse(proposal, protocol, out _, out var error)
                    && (error.StartsWith("unknown algorithm keyword", StringComparison.Ordinal) || error.Contains("is not supported", StringComparison.Ordinal) || error.Contains("is only valid in ESP", StringComparison.Ordinal)))
                {
                    checkedCount++;
                    Assert.False(Accepts(rule, proposal), $"{protocol} proposal '{proposal}' ({error}) passes the CRD");
                }
            }
        }
        Assert.True(checkedCount > 1000, $"only {checkedCount} proposals with bad keywords in the corpus");
    }

    [Fact]
    public void Keyword_lists_come_from_the_ike_keyword_table()
    {
        Assert.Contains("aes256gcm16", CelTemplates.IkeKeywords());
        Assert.DoesNotContain("esn", CelTemplates.IkeKeywords());
        Assert.DoesNotContain("null", CelTemplates.IkeKeywords());
        Assert.Contains("esn", CelTemplates.EspKeywords());
        Assert.DoesNotContain("md5", CelTemplates.EspKeywords());
    }
}
