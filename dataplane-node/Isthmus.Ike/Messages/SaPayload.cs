using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Security Association payload (RFC 7296 §3.3): an ordered list of proposals.</summary>
public sealed partial class SaPayload(IReadOnlyList<Proposal> proposals) : Payload
{
    public override PayloadType Type => PayloadType.SecurityAssociation;
    public IReadOnlyList<Proposal> Proposals { get; } = proposals;
}

/// <summary>Proposal substructure (RFC 7296 §3.3.1).</summary>
public sealed record Proposal(byte Number, ProtocolId Protocol, byte[] Spi, IReadOnlyList<Transform> Transforms);

/// <summary>
/// Transform substructure (RFC 7296 §3.3.2). <see cref="KeyLength"/> is the Key Length attribute
/// (§3.3.5) in bits when present. <see cref="HasUnrecognizedAttributes"/> marks a transform that
/// carried an attribute type we do not know: §3.3.6 says such a transform must be rejected.
/// </summary>
public sealed record Transform(TransformType Type, ushort Id, ushort? KeyLength = null, bool HasUnrecognizedAttributes = false);
