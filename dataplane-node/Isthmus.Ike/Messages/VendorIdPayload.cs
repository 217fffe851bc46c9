using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Vendor ID payload (RFC 7296 §3.12): any data, typically a hash that names an implementation.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                        Vendor ID (VID)                        ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public sealed partial class VendorIdPayload(byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.VendorId;
    public byte[] Data { get; } = data;

    public override int BodyLength => Data.Length;

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        Data.CopyTo(destination);
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out VendorIdPayload? payload, out ParseError error)
    {
        payload = new VendorIdPayload(body.ToArray());
        error = default;
        return true;
    }
}
