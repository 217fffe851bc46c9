using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa;

/// <summary>
/// The outcome of proposal selection (RFC 7296 §2.7): one transform of each type, the proposal
/// number and the sender's SPI of the proposal it came from.
/// </summary>
public sealed record SelectedProposal(
    byte Number,
    ProtocolId Protocol,
    byte[] Spi,
    EncryptionAlgorithm Encryption,
    ushort EncryptionKeyLength,
    PrfAlgorithm? Prf,
    IntegrityAlgorithm Integrity,
    DhGroup DhGroup,
    EsnMode? Esn)
{
    /// <summary>The single-transform proposal a responder sends back, with <paramref name="spi"/> as its SPI.</summary>
    public Proposal ToProposal(byte[] spi)
    {
        var transforms = new List<Transform>
        {
            new(TransformType.Encryption, (ushort)Encryption, EncryptionKeyLength == 0 ? null : EncryptionKeyLength),
        };
        if (Prf is { } prf) transforms.Add(new Transform(TransformType.Prf, (ushort)prf));
        if (Integrity != IntegrityAlgorithm.None) transforms.Add(new Transform(TransformType.Integrity, (ushort)Integrity));
        if (DhGroup != DhGroup.None) transforms.Add(new Transform(TransformType.KeyExchange, (ushort)DhGroup));
        if (Esn is { } esn) transforms.Add(new Transform(TransformType.ExtendedSequenceNumbers, (ushort)esn));
        return new Proposal(Number, Protocol, spi, transforms);
    }

    /// <summary>The transforms as a list, in wire order, for display.</summary>
    public IReadOnlyList<Transform> Transforms => ToProposal([]).Transforms;
}
