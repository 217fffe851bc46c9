using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Notify payload (RFC 7296 §3.10). <see cref="NotifyType"/> may hold values not in the enum.</summary>
public sealed partial class NotifyPayload(ProtocolId protocol, byte[] spi, NotifyType notifyType, byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.Notify;
    public ProtocolId Protocol { get; } = protocol;
    public byte[] Spi { get; } = spi;
    public NotifyType NotifyType { get; } = notifyType;
    public byte[] Data { get; } = data;

    public NotifyPayload(NotifyType notifyType, byte[]? data = null)
        : this(ProtocolId.None, [], notifyType, data ?? []) { }
}
