using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Extensible Authentication payload (RFC 7296 §3.16): one EAP message (RFC 3748).</summary>
public sealed partial class EapPayload(byte[] eapMessage) : Payload
{
    public override PayloadType Type => PayloadType.ExtensibleAuthentication;
    public byte[] EapMessage { get; } = eapMessage;
}
