using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Extensible Authentication payload (RFC 7296 §3.16): one EAP message (RFC 3748).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Code      | Identifier    |           Length              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      | Type_Data...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
/// </code>
/// The EAP Length covers the whole EAP message and must equal the payload body length. Request (1)
/// and Response (2) carry a Type octet; Success (3) and Failure (4) are 4 octets.
/// </summary>
public sealed partial class EapPayload(byte[] eapMessage) : Payload
{
    private const int FixedSize = 4;

    public override PayloadType Type => PayloadType.ExtensibleAuthentication;
    public byte[] EapMessage { get; } = eapMessage;

    /// <summary>EAP Code: 1 Request, 2 Response, 3 Success, 4 Failure.</summary>
    public byte Code => EapMessage.Length > 0 ? EapMessage[0] : (byte)0;

    public byte Identifier => EapMessage.Length > 1 ? EapMessage[1] : (byte)0;

    /// <summary>The EAP method Type, present in Requests and Responses.</summary>
    public byte? EapType => EapMessage.Length > FixedSize ? EapMessage[FixedSize] : null;

    public override int BodyLength => EapMessage.Length;

    public override void WriteBody(Span<byte> destination)
    {
        if (EapMessage.Length < FixedSize || BinaryPrimitives.ReadUInt16BigEndian(EapMessage.AsSpan(2)) != EapMessage.Length)
        {
            throw new InvalidOperationException("EAP message is shorter than 4 octets or its Length field does not match its size");
        }

        CheckRoom(destination, BodyLength);
        EapMessage.CopyTo(destination);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out EapPayload? payload, out ParseError error)
    {
        const PayloadType type = PayloadType.ExtensibleAuthentication;
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"EAP body of {body.Length} octets is shorter than the 4-octet EAP header", type);
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(body[2..]);
        if (length != body.Length)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"EAP Length {length} does not match the payload body of {body.Length} octets", type);
        }

        byte code = body[0];
        if (code is 1 or 2 && body.Length == FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"EAP {(code == 1 ? "Request" : "Response")} has no Type octet", type);
        }

        payload = new EapPayload(body.ToArray());
        error = default;
        return true;
    }
}
