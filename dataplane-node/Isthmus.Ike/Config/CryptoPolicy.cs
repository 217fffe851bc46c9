using System.Diagnostics.CodeAnalysis;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>
/// A site's rule on which algorithms its tunnels may offer: all the weak ones (<see cref="WeakAlgorithms"/>)
/// and/or named ones, given as strongSwan proposal keywords (<c>modp2048</c>, <c>sha1</c>, <c>aes128</c>). A
/// keyword with a key length (<c>aes128</c>) forbids that length only; one without (<c>3des</c>, <c>sha1</c>)
/// forbids the algorithm. Without any rule every implemented algorithm is allowed.
/// </summary>
public sealed class CryptoPolicy
{
    private readonly IReadOnlyList<ProposalKeyword> _forbidden;

    private CryptoPolicy(bool forbidWeak, IReadOnlyList<ProposalKeyword> forbidden)
    {
        ForbidWeak = forbidWeak;
        _forbidden = forbidden;
    }

    /// <summary>A policy that allows everything implemented.</summary>
    public static CryptoPolicy AllowAll { get; } = new(false, []);

    /// <summary>Whether every weak algorithm is refused.</summary>
    public bool ForbidWeak { get; }

    /// <summary>The forbidden keywords, as given.</summary>
    public IReadOnlyList<string> ForbiddenKeywords => _forbidden.Select(k => k.Name).ToList();

    /// <summary>True when the policy refuses nothing.</summary>
    public bool IsEmpty => !ForbidWeak && _forbidden.Count == 0;

    /// <summary>Builds a policy; fails naming the first keyword that is not a known proposal keyword.</summary>
    public static bool TryCreate(bool forbidWeak, IEnumerable<string> forbiddenKeywords, [NotNullWhen(true)] out CryptoPolicy? policy, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(forbiddenKeywords);
        var forbidden = new List<ProposalKeyword>();
        foreach (var raw in forbiddenKeywords)
        {
            var name = raw.Trim().ToLowerInvariant();
            if (!ProposalKeywords.TryGet(name, out var keyword))
            {
                policy = null;
                error = ProposalKeywords.TryGetUnsupportedReason(name, out var reason)
                    ? $"'{raw}' is never offered by Isthmus ({reason}): nothing to forbid"
                    : $"'{raw}' is not a strongSwan proposal keyword (e.g. 3des, sha1, modp1024, aes128)";
                return false;
            }
            if (keyword.Type == TransformType.ExtendedSequenceNumbers)
            {
                policy = null;
                error = $"'{raw}' is a sequence-number mode, not an algorithm";
                return false;
            }
            forbidden.Add(keyword);
        }
        policy = new CryptoPolicy(forbidWeak, forbidden);
        error = null;
        return true;
    }

    /// <summary>The strongSwan names of the transforms of <paramref name="proposal"/> this policy refuses, in proposal order; empty when it is allowed.</summary>
    public IReadOnlyList<string> Violations(Proposal proposal)
    {
        ArgumentNullException.ThrowIfNull(proposal);
        return proposal.Transforms.Where(Refuses).Select(ProposalFormatter.Name).Distinct().ToList();
    }

    private bool Refuses(Transform transform) =>
        (ForbidWeak && WeakAlgorithms.IsWeak(transform))
        || _forbidden.Any(k => k.Type == transform.Type && k.Id == transform.Id && (k.KeyLength is null || k.KeyLength == transform.KeyLength));
}
