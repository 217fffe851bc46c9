using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// Proposal selection (RFC 7296 §2.7, §3.3.6). The responder walks its configured proposals in
/// order (its preference wins, as strongSwan does by default) and, for each, the proposals the
/// initiator offered; a match needs one acceptable transform of every type the protocol
/// requires. Proposals for another protocol, with an SPI of the wrong size, with a Transform Type
/// we do not understand, or missing a mandatory transform are skipped, never echoed; a transform
/// with an unrecognised attribute is skipped while others of its type are still considered, and
/// so is one the given <see cref="ICryptoFactory"/> cannot create.
/// </summary>
public static class ProposalSelector
{
    /// <summary>Selects a proposal, or returns null (NO_PROPOSAL_CHOSEN).</summary>
    /// <param name="ignoreKeyExchange">True for the first Child SA, negotiated inside IKE_AUTH, where a KE transform is ignored (RFC 7296 §1.2).</param>
    public static SelectedProposal? Select(ICryptoFactory crypto,
        IReadOnlyList<Proposal> offered, IReadOnlyList<Proposal> configured, ProtocolId protocol, bool ignoreKeyExchange = false)
    {
        foreach (var mine in configured)
        {
            foreach (var theirs in offered)
            {
                if (!IsWellFormed(theirs, protocol)) continue;
                var match = Match(crypto, theirs, mine, protocol, ignoreKeyExchange);
                if (match is not null) return match;
            }
        }
        return null;
    }

    /// <summary>
    /// Checks that a responder's answer is one the initiator offered: exactly one transform of each
    /// type, each present in the proposal with the same number (RFC 7296 §2.7, §3.3).
    /// </summary>
    public static SelectedProposal? VerifyResponse(ICryptoFactory crypto,
        Proposal answered, IReadOnlyList<Proposal> offered, ProtocolId protocol, bool ignoreKeyExchange = false)
    {
        if (!IsWellFormed(answered, protocol)) return null;
        var byType = answered.Transforms.GroupBy(t => t.Type).ToList();
        if (byType.Any(g => g.Count() != 1)) return null;
        var original = offered.FirstOrDefault(p => p.Number == answered.Number) ?? (offered.Count == 1 ? offered[0] : null);
        if (original is null) return null;
        foreach (var t in answered.Transforms)
        {
            if (t.Type == TransformType.KeyExchange && ignoreKeyExchange) continue;
            if (!original.Transforms.Any(o => o.Type == t.Type && o.Id == t.Id && o.KeyLength == t.KeyLength)) return null;
        }
        return Match(crypto, answered, original, protocol, ignoreKeyExchange) is { } m ? m with { Spi = answered.Spi } : null;
    }

    private static bool IsWellFormed(Proposal p, ProtocolId protocol)
    {
        if (p.Protocol != protocol) return false;
        var expectedSpi = protocol == ProtocolId.Ike ? new[] { 0, 8 } : new[] { 4 };
        // RFC 7296 §3.3.6: a proposal with a Transform Type we do not understand is unacceptable.
        return expectedSpi.Contains(p.Spi.Length) && p.Transforms.All(t => Enum.IsDefined(t.Type));
    }

    private static SelectedProposal? Match(ICryptoFactory crypto, Proposal theirs, Proposal mine, ProtocolId protocol, bool ignoreKeyExchange)
    {
        Transform? Pick(TransformType type) =>
            theirs.Transforms.FirstOrDefault(t => t.Type == type && !t.HasUnrecognizedAttributes && IsSupported(crypto, t)
                && mine.Transforms.Any(m => m.Type == type && m.Id == t.Id && m.KeyLength == t.KeyLength));

        bool Offers(TransformType type) => theirs.Transforms.Any(t => t.Type == type);

        var encr = Pick(TransformType.Encryption);
        if (encr is null) return null;
        var encAlg = (EncryptionAlgorithm)encr.Id;
        var aead = ProposalParser.IsAead(encAlg);

        PrfAlgorithm? prf = null;
        if (protocol == ProtocolId.Ike)
        {
            var p = Pick(TransformType.Prf);
            if (p is null) return null;
            prf = (PrfAlgorithm)p.Id;
        }

        var integ = IntegrityAlgorithm.None;
        if (aead)
        {
            // RFC 5282 §8: with a combined-mode cipher, integrity is absent or NONE.
            if (theirs.Transforms.Any(t => t.Type == TransformType.Integrity && t.Id != (ushort)IntegrityAlgorithm.None)) return null;
        }
        else
        {
            var i = Pick(TransformType.Integrity);
            if (i is null || i.Id == (ushort)IntegrityAlgorithm.None) return null;
            integ = (IntegrityAlgorithm)i.Id;
        }

        var dh = DhGroup.None;
        if (protocol == ProtocolId.Ike)
        {
            var d = Pick(TransformType.KeyExchange);
            if (d is null || d.Id == (ushort)DhGroup.None) return null;
            dh = (DhGroup)d.Id;
        }
        else if (!ignoreKeyExchange)
        {
            var mineWantsPfs = mine.Transforms.Any(t => t.Type == TransformType.KeyExchange && t.Id != 0);
            if (mineWantsPfs || Offers(TransformType.KeyExchange))
            {
                var d = Pick(TransformType.KeyExchange);
                if (d is null) return null;
                dh = (DhGroup)d.Id;
            }
        }

        EsnMode? esn = null;
        if (protocol != ProtocolId.Ike)
        {
            if (Offers(TransformType.ExtendedSequenceNumbers))
            {
                var e = Pick(TransformType.ExtendedSequenceNumbers);
                if (e is null) return null;
                esn = (EsnMode)e.Id;
            }
            else
            {
                // RFC 7296 §3.3.2: ESN is mandatory in ESP proposals; accept its absence as "no ESN" only if we allow that.
                if (!mine.Transforms.Any(t => t.Type == TransformType.ExtendedSequenceNumbers && t.Id == (ushort)EsnMode.NoEsn)) return null;
                esn = EsnMode.NoEsn;
            }
        }

        return new SelectedProposal(theirs.Number, protocol, theirs.Spi, encAlg, encr.KeyLength ?? 0, prf, integ, dh, esn);
    }

    private static bool IsSupported(ICryptoFactory crypto, Transform t) => t.Type switch
    {
        TransformType.Encryption => crypto.TryCreateCipher((EncryptionAlgorithm)t.Id, t.KeyLength ?? 0, out _)
            || t.Id == (ushort)EncryptionAlgorithm.NullAuthAesGmac || t.Id == (ushort)EncryptionAlgorithm.Null,
        TransformType.Prf => crypto.TryCreatePrf((PrfAlgorithm)t.Id, out _),
        TransformType.Integrity => t.Id == 0 || crypto.TryCreateIntegrity((IntegrityAlgorithm)t.Id, out _),
        TransformType.KeyExchange => t.Id == 0 || crypto.IsSupported((DhGroup)t.Id),
        TransformType.ExtendedSequenceNumbers => t.Id is 0 or 1,
        _ => false,
    };
}
