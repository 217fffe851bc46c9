using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// A decoded IKEv2 payload (RFC 7296 §3.2). The generic payload header (next payload, critical
/// bit, length) is handled by <see cref="PayloadChain"/>; subclasses hold the body.
/// </summary>
public abstract partial class Payload
{
    public abstract PayloadType Type { get; }

    /// <summary>The critical bit as received (or to send). RFC 7296 §3.2.</summary>
    public bool Critical { get; init; }
}
