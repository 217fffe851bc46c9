using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Config;

/// <summary>
/// Algorithms accepted for old peers but below today's recommendations (RFC 8247, RFC 8221): 3DES,
/// Blowfish, NULL encryption, HMAC-SHA1 (integrity and PRF) and the MODP groups below 2048 bits. A tunnel
/// that offers any of them gets a WeakCryptography warning.
/// </summary>
public static class WeakAlgorithms
{
    /// <summary>strongSwan names of the weak transforms in <paramref name="proposal"/>, in proposal order; empty when none.</summary>
    public static IReadOnlyList<string> Find(Proposal proposal) =>
        proposal.Transforms.Where(IsWeak).Select(ProposalFormatter.Name).Distinct().ToList();

    /// <summary>Whether one transform is weak.</summary>
    public static bool IsWeak(Transform transform) => transform.Type switch
    {
        TransformType.Encryption => (EncryptionAlgorithm)transform.Id is EncryptionAlgorithm.Des3 or EncryptionAlgorithm.Blowfish or EncryptionAlgorithm.Null,
        TransformType.Integrity => (IntegrityAlgorithm)transform.Id is IntegrityAlgorithm.HmacSha1_96 or IntegrityAlgorithm.HmacMd5_96,
        TransformType.Prf => (PrfAlgorithm)transform.Id is PrfAlgorithm.HmacSha1 or PrfAlgorithm.HmacMd5,
        TransformType.KeyExchange => (DhGroup)transform.Id is DhGroup.Modp768 or DhGroup.Modp1024 or DhGroup.Modp1536,
        _ => false,
    };
}
