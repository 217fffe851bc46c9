using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Vendor ID payload (RFC 7296 §3.12).</summary>
public sealed partial class VendorIdPayload(byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.VendorId;
    public byte[] Data { get; } = data;
}
