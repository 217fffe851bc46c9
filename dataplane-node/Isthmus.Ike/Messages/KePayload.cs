using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Key Exchange payload (RFC 7296 §3.4).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Diffie-Hellman Group Num    |           RESERVED            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                       Key Exchange Data                       ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The data length is checked against the group by the key exchange, not here.
/// </summary>
public sealed partial class KePayload(DhGroup group, byte[] data) : Payload
{
    private const int FixedSize = 4;

    public override PayloadType Type => PayloadType.KeyExchange;
    public DhGroup Group { get; } = group;
    public byte[] Data { get; } = data;

    public override int BodyLength => FixedSize + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)Group);
        destination[2] = 0;
        destination[3] = 0;
        Data.CopyTo(destination[FixedSize..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out KePayload? payload, out ParseError error)
    {
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"KE body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", PayloadType.KeyExchange);
        }

        if (body.Length == FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "KE payload carries no key exchange data", PayloadType.KeyExchange);
        }

        payload = new KePayload((DhGroup)BinaryPrimitives.ReadUInt16BigEndian(body), body[FixedSize..].ToArray());
        error = default;
        return true;
    }
}
