using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Nonce payload Ni/Nr (RFC 7296 §3.9): 16 to 256 octets.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                            Nonce Data                         ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class NoncePayload(byte[] data) : Payload
{
    public const int MinLength = 16;
    public const int MaxLength = 256;
    public override PayloadType Type => PayloadType.Nonce;
    public byte[] Data { get; } = data;

    public override int BodyLength => Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        Data.CopyTo(destination);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out NoncePayload? payload, out ParseError error)
    {
        if (body.Length < MinLength)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"nonce of {body.Length} octets is shorter than {MinLength}", PayloadType.Nonce);
        }

        if (body.Length > MaxLength)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"nonce of {body.Length} octets is longer than {MaxLength}", PayloadType.Nonce);
        }

        payload = new NoncePayload(body.ToArray());
        error = default;
        return true;
    }
}
