using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Notify payload (RFC 7296 §3.10). <see cref="NotifyType"/> may hold values not in the enum.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Protocol ID  |   SPI Size    |      Notify Message Type      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                Security Parameter Index (SPI)                 ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                       Notification Data                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The SPI is 0 (IKE SA or none), 4 (ESP/AH) or 8 (an IKE SPI, as in old INVALID_IKE_SPI uses) octets.
/// </summary>
public sealed partial class NotifyPayload(ProtocolId protocol, byte[] spi, NotifyType notifyType, byte[] data) : Payload
{
    private const int FixedSize = 4;

    public override PayloadType Type => PayloadType.Notify;
    public ProtocolId Protocol { get; } = protocol;
    public byte[] Spi { get; } = spi;
    public NotifyType NotifyType { get; } = notifyType;
    public byte[] Data { get; } = data;

    public NotifyPayload(NotifyType notifyType, byte[]? data = null)
        : this(ProtocolId.None, [], notifyType, data ?? []) { }

    public override int BodyLength => FixedSize + Spi.Length + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        if (!IsValidSpiSize(Spi.Length))
        {
            throw new InvalidOperationException($"Notify SPI of {Spi.Length} octets: must be 0, 4 or 8");
        }

        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Protocol;
        destination[1] = (byte)Spi.Length;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)NotifyType);
        Spi.CopyTo(destination[FixedSize..]);
        Data.CopyTo(destination[(FixedSize + Spi.Length)..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out NotifyPayload? payload, out ParseError error)
    {
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"Notify body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", PayloadType.Notify);
        }

        int spiSize = body[1];
        if (!IsValidSpiSize(spiSize))
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidValue, $"Notify SPI Size {spiSize} is not 0, 4 or 8", PayloadType.Notify);
        }

        if (FixedSize + spiSize > body.Length)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"Notify SPI of {spiSize} octets does not fit in a body of {body.Length}", PayloadType.Notify);
        }

        payload = new NotifyPayload(
            (ProtocolId)body[0],
            body.Slice(FixedSize, spiSize).ToArray(),
            (NotifyType)BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
            body[(FixedSize + spiSize)..].ToArray());
        error = default;
        return true;
    }

    private static bool IsValidSpiSize(int size) => size is 0 or 4 or 8;
}
