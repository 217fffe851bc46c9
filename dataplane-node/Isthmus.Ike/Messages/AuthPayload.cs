using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Authentication payload (RFC 7296 §3.8).</summary>
public sealed partial class AuthPayload(AuthMethod method, byte[] data) : Payload
{
    public override PayloadType Type => PayloadType.Authentication;
    public AuthMethod Method { get; } = method;
    public byte[] Data { get; } = data;
}
