using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Authentication payload (RFC 7296 §3.8).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Auth Method   |                RESERVED                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                      Authentication Data                      ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class AuthPayload(AuthMethod method, byte[] data) : Payload
{
    private const int FixedSize = 4;

    public override PayloadType Type => PayloadType.Authentication;
    public AuthMethod Method { get; } = method;
    public byte[] Data { get; } = data;

    public override int BodyLength => FixedSize + Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        destination[0] = (byte)Method;
        destination[1..FixedSize].Clear();
        Data.CopyTo(destination[FixedSize..]);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out AuthPayload? payload, out ParseError error)
    {
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"AUTH body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", PayloadType.Authentication);
        }

        if (body.Length == FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, "AUTH payload carries no authentication data", PayloadType.Authentication);
        }

        payload = new AuthPayload((AuthMethod)body[0], body[FixedSize..].ToArray());
        error = default;
        return true;
    }
}
