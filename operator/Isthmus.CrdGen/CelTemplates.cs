using System.Text;
using System.Text.RegularExpressions;
using Isthmus.Ike.Config;
using Isthmus.Ike.Protocol;

namespace Isthmus.CrdGen;

/// <summary>
/// Expands the <c>${name}</c> placeholders of <see cref="Isthmus.Api.Schema.CelRuleAttribute"/> rules from
/// their sources of truth: the proposal keyword table of Isthmus.Ike, and the spellings of IP protocol "any".
/// </summary>
public static partial class CelTemplates
{
    /// <summary>The placeholder values, by name.</summary>
    public static IReadOnlyDictionary<string, string> Values { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ikeProposalPattern"] = ProposalPattern(IkeKeywords()),
        ["espProposalPattern"] = ProposalPattern(EspKeywords()),
        ["protocolAnySpellings"] = "[" + string.Join(", ", AnySpellings().Select(a => "'" + a + "'")) + "]",
    };

    /// <summary>The keywords an IKE proposal may contain: all but ESN and the ESP-only ciphers (null, AES-GMAC).</summary>
    public static IReadOnlyList<string> IkeKeywords() =>
        ProposalKeywords.All.Where(k => k.Type != TransformType.ExtendedSequenceNumbers
            && !(k.Type == TransformType.Encryption && (EncryptionAlgorithm)k.Id is EncryptionAlgorithm.Null or EncryptionAlgorithm.NullAuthAesGmac))
            .Select(k => k.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>The keywords an ESP proposal may contain: all (PRF keywords are accepted and ignored, as strongSwan does).</summary>
    public static IReadOnlyList<string> EspKeywords() =>
        ProposalKeywords.All.Select(k => k.Name).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The texts that mean IP protocol 0 ("any") under the protocol field's pattern: the keyword in every letter case
    /// and the number written as text. A list lookup costs next to nothing in the API server's CEL budget, where a
    /// case-insensitive regex over an int-or-string (sized as 3 MiB) does not fit.
    /// </summary>
    public static IReadOnlyList<string> AnySpellings()
    {
        var spellings = new List<string>();
        for (var mask = 0; mask < 8; mask++)
        {
            spellings.Add(new string("any".Select((c, i) => (mask & (4 >> i)) != 0 ? char.ToUpperInvariant(c) : c).ToArray()));
        }
        spellings.Add("0");
        return spellings;
    }

    /// <summary>Replaces every <c>${name}</c> in <paramref name="rule"/>; an unknown name fails with <paramref name="where"/>.</summary>
    public static string Expand(string rule, string where) => Placeholder().Replace(rule, m =>
        Values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new CrdGenerationException($"{where}: unknown CEL placeholder '{m.Value}' (known: {string.Join(", ", Values.Keys)})"));

    /// <summary>
    /// A case-insensitive regular expression (RE2 and .NET) for keywords joined by '-', written for a CEL
    /// single-quoted string. Longer keywords come first so that a prefix never shadows a longer keyword.
    /// </summary>
    private static string ProposalPattern(IReadOnlyList<string> keywords)
    {
        foreach (var keyword in keywords)
        {
            if (!KeywordShape().IsMatch(keyword))
            {
                throw new CrdGenerationException($"proposal keyword '{keyword}' has characters that need escaping in a CEL regular expression");
            }
        }
        var alternatives = string.Join("|", keywords.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal));
        var sb = new StringBuilder();
        sb.Append("(?i)^(").Append(alternatives).Append(")(-(").Append(alternatives).Append("))*$");
        return sb.ToString();
    }

    [GeneratedRegex(@"\$\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex KeywordShape();
}
