using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Identification payload IDi or IDr (RFC 7296 §3.5).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   ID Type     |                 RESERVED                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                   Identification Data                         ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// ID_IPV4_ADDR data is exactly 4 octets and ID_IPV6_ADDR exactly 16; other types need at least one octet.
/// </summary>
public sealed partial class IdPayload(bool isInitiator, IdType idType, byte[] data) : Payload
{
    private const int FixedSize = 4;

    public override PayloadType Type => IsInitiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder;
    public bool IsInitiator { get; } = isInitiator;
    public IdType IdType { get; } = idType;
    public byte[] Data { get; } = data;

    public override int BodyLength => FixedSize + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        destination[0] = (byte)IdType;
        destination[1..FixedSize].Clear();
        Data.CopyTo(destination[FixedSize..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, bool isInitiator, out IdPayload? payload, out ParseError error)
    {
        var type = isInitiator ? PayloadType.IdentificationInitiator : PayloadType.IdentificationResponder;
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"ID body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", type);
        }

        var idType = (IdType)body[0];
        var data = body[FixedSize..];
        if (data.IsEmpty)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "ID payload carries no identification data", type);
        }

        if (idType == IdType.Ipv4Addr && data.Length != 4)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"ID_IPV4_ADDR data is {data.Length} octets, not 4", type);
        }

        if (idType == IdType.Ipv6Addr && data.Length != 16)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"ID_IPV6_ADDR data is {data.Length} octets, not 16", type);
        }

        payload = new IdPayload(isInitiator, idType, data.ToArray());
        error = default;
        return true;
    }
}
