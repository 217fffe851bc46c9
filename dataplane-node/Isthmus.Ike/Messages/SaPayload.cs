using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Security Association payload (RFC 7296 §3.3): an ordered list of proposals.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                          &lt;Proposals&gt;                          ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Proposal substructure (§3.3.1):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Last Substruc |   RESERVED    |         Proposal Length       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                        SPI (variable)                         ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                        &lt;Transforms&gt;                         ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Transform substructure (§3.3.2):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Last Substruc |   RESERVED    |        Transform Length       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Transform Type |   RESERVED    |          Transform ID         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                      Transform Attributes                     ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Transform attribute (§3.3.5):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |A|       Attribute Type        |    AF=0  Attribute Length     |
/// |F|                             |    AF=1  Attribute Value      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   AF=0  Attribute Value                       |
/// |                   AF=1  Not Transmitted                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Parsing checks structure only: Last Substruc is 2 on every proposal but the last (0) and 3 on
/// every transform but the last (0); proposal numbers are not 0 and each is the previous one or
/// one more (an offer starts at 1, but an accepted proposal keeps the number it was offered
/// with, §3.3.1, so a response may hold a lone proposal 2); every length agrees with what it contains; at least one proposal and at least one
/// transform per proposal. A proposal with an unknown protocol ID or an unusual SPI size still
/// parses: proposal selection skips it. A TV Key Length attribute becomes
/// <see cref="Transform.KeyLength"/>; any other attribute sets
/// <see cref="Transform.HasUnrecognizedAttributes"/> (and is not written back).
/// </summary>
public sealed partial class SaPayload(IReadOnlyList<Proposal> proposals) : Payload
{
    private const int ProposalHeaderSize = 8;
    private const int TransformHeaderSize = 8;
    private const int AttributeHeaderSize = 4;
    private const byte LastSubstructure = 0;
    private const byte MoreProposals = 2;
    private const byte MoreTransforms = 3;
    private const ushort AttributeFormatTv = 0x8000;

    public override PayloadType Type => PayloadType.SecurityAssociation;
    public IReadOnlyList<Proposal> Proposals { get; } = proposals;

    public override int BodyLength
    {
        get
        {
            int length = 0;
            foreach (var proposal in Proposals)
            {
                length += ProposalLength(proposal);
            }

            return length;
        }
    }

    public override void WriteBody(Span<byte> destination)
    {
        if (Proposals.Count == 0)
        {
            throw new InvalidOperationException("SA payload needs at least one proposal");
        }

        CheckRoom(destination, BodyLength);
        int offset = 0;
        for (int p = 0; p < Proposals.Count; p++)
        {
            var proposal = Proposals[p];
            if (proposal.Transforms.Count is 0 or > byte.MaxValue)
            {
                throw new InvalidOperationException($"proposal {proposal.Number} has {proposal.Transforms.Count} transforms: must be 1 to {byte.MaxValue}");
            }

            if (proposal.Spi.Length > byte.MaxValue)
            {
                throw new InvalidOperationException($"proposal {proposal.Number} SPI of {proposal.Spi.Length} octets does not fit the SPI Size field");
            }

            int length = ProposalLength(proposal);
            if (length > ushort.MaxValue)
            {
                throw new InvalidOperationException($"proposal {proposal.Number} of {length} octets does not fit the Proposal Length field");
            }

            var target = destination.Slice(offset, length);
            target[0] = p == Proposals.Count - 1 ? LastSubstructure : MoreProposals;
            target[1] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(target[2..], (ushort)length);
            target[4] = proposal.Number;
            target[5] = (byte)proposal.Protocol;
            target[6] = (byte)proposal.Spi.Length;
            target[7] = (byte)proposal.Transforms.Count;
            proposal.Spi.CopyTo(target[ProposalHeaderSize..]);
            int t = ProposalHeaderSize + proposal.Spi.Length;
            for (int i = 0; i < proposal.Transforms.Count; i++)
            {
                var transform = proposal.Transforms[i];
                int transformLength = TransformLength(transform);
                target[t] = i == proposal.Transforms.Count - 1 ? LastSubstructure : MoreTransforms;
                target[t + 1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(target[(t + 2)..], (ushort)transformLength);
                target[t + 4] = (byte)transform.Type;
                target[t + 5] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(target[(t + 6)..], transform.Id);
                if (transform.KeyLength is ushort keyLength)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(target[(t + 8)..], (ushort)(AttributeFormatTv | (ushort)TransformAttributeType.KeyLength));
                    BinaryPrimitives.WriteUInt16BigEndian(target[(t + 10)..], keyLength);
                }

                t += transformLength;
            }

            offset += length;
        }
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out SaPayload? payload, out ParseError error)
    {
        const PayloadType type = PayloadType.SecurityAssociation;
        if (body.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidValue, "SA payload contains no proposals", type);
        }

        var proposals = new List<Proposal>();
        var rest = body;
        int previousNumber = 0;
        while (!rest.IsEmpty)
        {
            int index = proposals.Count + 1;
            if (rest.Length < ProposalHeaderSize)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"proposal {index} header needs {ProposalHeaderSize} octets, {rest.Length} left in the SA payload", type);
            }

            byte last = rest[0];
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            byte number = rest[4];
            var protocol = (ProtocolId)rest[5];
            int spiSize = rest[6];
            int transformCount = rest[7];

            if (length < ProposalHeaderSize + spiSize)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"proposal {index} length {length} is too short for its header and a {spiSize}-octet SPI", type);
            }

            if (length > rest.Length)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"proposal {index} length {length} overruns the SA payload ({rest.Length} left)", type);
            }

            if (last == LastSubstructure && length != rest.Length)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidSubstructure, $"proposal {index} is marked last but {rest.Length - length} octets follow it", type);
            }

            if (last == MoreProposals && length == rest.Length)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidSubstructure, $"proposal {index} announces another proposal but the SA payload ends", type);
            }

            if (last is not (LastSubstructure or MoreProposals))
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidSubstructure, $"proposal {index} Last Substruc is {last}, must be 0 or 2", type);
            }

            if (previousNumber == 0 ? number == 0 : number != previousNumber && number != previousNumber + 1)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidValue, previousNumber == 0
                    ? "first proposal is numbered 0"
                    : $"proposal number {number} follows {previousNumber}: must be the same or one more", type);
            }

            if (transformCount == 0)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"proposal {index} has no transforms", type);
            }

            var proposalBody = rest[..length];
            var spi = proposalBody.Slice(ProposalHeaderSize, spiSize).ToArray();
            if (!TryReadTransforms(proposalBody[(ProposalHeaderSize + spiSize)..], index, transformCount, out var transforms, out error))
            {
                payload = null;
                return false;
            }

            proposals.Add(new Proposal(number, protocol, spi, transforms));
            previousNumber = number;
            rest = rest[length..];
        }

        payload = new SaPayload(proposals);
        error = default;
        return true;
    }

    private static bool TryReadTransforms(ReadOnlySpan<byte> data, int proposalIndex, int count, out List<Transform> transforms, out ParseError error)
    {
        const PayloadType type = PayloadType.SecurityAssociation;
        transforms = new List<Transform>(count);
        var rest = data;
        for (int i = 0; i < count; i++)
        {
            int index = i + 1;
            bool isLast = i == count - 1;
            if (rest.Length < TransformHeaderSize)
            {
                error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} declares {count} transforms but transform {index} has only {rest.Length} octets", type);
                return false;
            }

            byte last = rest[0];
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            if (last != (isLast ? LastSubstructure : MoreTransforms))
            {
                error = new ParseError(ParseErrorCode.InvalidSubstructure, $"proposal {proposalIndex} transform {index} of {count} has Last Substruc {last}, must be {(isLast ? LastSubstructure : MoreTransforms)}", type);
                return false;
            }

            if (length < TransformHeaderSize)
            {
                error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} transform {index} length {length} is below {TransformHeaderSize}", type);
                return false;
            }

            if (length > rest.Length)
            {
                error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} transform {index} length {length} overruns the proposal ({rest.Length} left)", type);
                return false;
            }

            var transformType = (TransformType)rest[4];
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(rest[6..]);
            ushort? keyLength = null;
            bool unrecognized = false;
            var attributes = rest[TransformHeaderSize..length];
            while (!attributes.IsEmpty)
            {
                if (attributes.Length < AttributeHeaderSize)
                {
                    error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} transform {index} attribute needs {AttributeHeaderSize} octets, {attributes.Length} left", type);
                    return false;
                }

                ushort typeField = BinaryPrimitives.ReadUInt16BigEndian(attributes);
                ushort value = BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]);
                if ((typeField & AttributeFormatTv) != 0)
                {
                    if ((typeField & ~AttributeFormatTv) == (ushort)TransformAttributeType.KeyLength)
                    {
                        if (keyLength is not null)
                        {
                            error = new ParseError(ParseErrorCode.InvalidValue, $"proposal {proposalIndex} transform {index} repeats the Key Length attribute", type);
                            return false;
                        }

                        keyLength = value;
                    }
                    else
                    {
                        unrecognized = true;
                    }

                    attributes = attributes[AttributeHeaderSize..];
                }
                else
                {
                    if (AttributeHeaderSize + value > attributes.Length)
                    {
                        error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} transform {index} attribute value of {value} octets overruns the transform ({attributes.Length - AttributeHeaderSize} left)", type);
                        return false;
                    }

                    unrecognized = true;
                    attributes = attributes[(AttributeHeaderSize + value)..];
                }
            }

            transforms.Add(new Transform(transformType, id, keyLength, unrecognized));
            rest = rest[length..];
        }

        if (!rest.IsEmpty)
        {
            error = new ParseError(ParseErrorCode.InvalidLength, $"proposal {proposalIndex} has {rest.Length} octets after its {count} transforms", type);
            return false;
        }

        error = default;
        return true;
    }

    private static int ProposalLength(Proposal proposal)
    {
        int length = ProposalHeaderSize + proposal.Spi.Length;
        foreach (var transform in proposal.Transforms)
        {
            length += TransformLength(transform);
        }

        return length;
    }

    private static int TransformLength(Transform transform) =>
        TransformHeaderSize + (transform.KeyLength is null ? 0 : AttributeHeaderSize);
}

/// <summary>Proposal substructure (RFC 7296 §3.3.1).</summary>
public sealed record Proposal(byte Number, ProtocolId Protocol, byte[] Spi, IReadOnlyList<Transform> Transforms);

/// <summary>
/// Transform substructure (RFC 7296 §3.3.2). <see cref="KeyLength"/> is the Key Length attribute
/// (§3.3.5) in bits when present. <see cref="HasUnrecognizedAttributes"/> marks a transform that
/// carried an attribute type we do not know: §3.3.6 says such a transform must be rejected.
/// </summary>
public sealed record Transform(TransformType Type, ushort Id, ushort? KeyLength = null, bool HasUnrecognizedAttributes = false);
