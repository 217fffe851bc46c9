using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Delete payload (RFC 7296 §3.11). SPI size is 0 for IKE (with no SPIs: the IKE SA the message
/// belongs to) and 4 for AH/ESP.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Protocol ID   |   SPI Size    |          Num of SPIs          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~               Security Parameter Index(es) (SPI)              ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class DeletePayload(ProtocolId protocol, IReadOnlyList<byte[]> spis) : Payload
{
    private const int FixedSize = 4;
    private const int ChildSpiSize = 4;

    public override PayloadType Type => PayloadType.Delete;
    public ProtocolId Protocol { get; } = protocol;
    public IReadOnlyList<byte[]> Spis { get; } = spis;

    private int SpiSize => Protocol == ProtocolId.Ike ? 0 : ChildSpiSize;

    public override int BodyLength => FixedSize + (Spis.Count * SpiSize);

    public override void WriteBody(Span<byte> destination)
    {
        if (Protocol is not (ProtocolId.Ike or ProtocolId.Esp or ProtocolId.Ah))
        {
            throw new InvalidOperationException($"Delete payload for protocol {(byte)Protocol}: must be IKE, AH or ESP");
        }

        if (Protocol == ProtocolId.Ike && Spis.Count != 0)
        {
            throw new InvalidOperationException("Delete payload for IKE carries no SPIs");
        }

        if (Spis.Count > ushort.MaxValue)
        {
            throw new InvalidOperationException($"Delete payload with {Spis.Count} SPIs: at most {ushort.MaxValue}");
        }

        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Protocol;
        destination[1] = (byte)SpiSize;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)Spis.Count);
        int offset = FixedSize;
        foreach (byte[] spi in Spis)
        {
            if (spi.Length != SpiSize)
            {
                throw new InvalidOperationException($"Delete payload SPI of {spi.Length} octets: must be {SpiSize}");
            }

            spi.CopyTo(destination[offset..]);
            offset += SpiSize;
        }
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out DeletePayload? payload, out ParseError error)
    {
        const PayloadType type = PayloadType.Delete;
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"Delete body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", type);
        }

        var protocol = (ProtocolId)body[0];
        int spiSize = body[1];
        int count = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        switch (protocol)
        {
            case ProtocolId.Ike:
                if (spiSize != 0)
                {
                    return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"Delete for IKE has SPI Size {spiSize}, not 0", type);
                }

                if (count != 0)
                {
                    return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"Delete for IKE lists {count} SPIs, not 0", type);
                }

                break;
            case ProtocolId.Esp or ProtocolId.Ah:
                if (spiSize != ChildSpiSize)
                {
                    return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"Delete for {protocol} has SPI Size {spiSize}, not {ChildSpiSize}", type);
                }

                break;
            default:
                return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"Delete for unknown protocol ID {(byte)protocol}", type);
        }

        int expected = FixedSize + (count * spiSize);
        if (body.Length != expected)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"Delete body of {body.Length} octets does not hold {count} SPIs of {spiSize} octets ({expected} expected)", type);
        }

        var spis = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            spis[i] = body.Slice(FixedSize + (i * spiSize), spiSize).ToArray();
        }

        payload = new DeletePayload(protocol, spis);
        error = default;
        return true;
    }
}
