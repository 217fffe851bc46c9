using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// A decoded IKEv2 payload (RFC 7296 §3.2). The generic payload header (next payload, critical
/// bit, length) is handled by <see cref="PayloadChain"/>; subclasses hold the body.
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C|  RESERVED   |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public abstract partial class Payload
{
    /// <summary>Size of the generic payload header.</summary>
    public const int HeaderSize = 4;

    private bool _critical;

    public abstract PayloadType Type { get; }

    /// <summary>The critical bit as received (or to send). RFC 7296 §3.2.</summary>
    public bool Critical { get => _critical; init => _critical = value; }

    /// <summary>Length of the body, without the 4-octet generic payload header.</summary>
    public abstract int BodyLength { get; }

    /// <summary>Writes the body (<see cref="BodyLength"/> octets) at the start of <paramref name="destination"/>.</summary>
    public abstract void WriteBody(Span<byte> destination);

    /// <summary>Records the critical bit of a payload just decoded from the wire.</summary>
    internal void SetCriticalFromWire(bool critical) => _critical = critical;

    private protected static bool Fail<T>(out T? payload, out ParseError error, ParseErrorCode code, string reason, PayloadType type)
        where T : Payload
    {
        payload = null;
        error = new ParseError(code, reason, type);
        return false;
    }

    private protected static void CheckRoom(Span<byte> destination, int needed)
    {
        if (destination.Length < needed)
        {
            throw new ArgumentException($"payload body needs {needed} octets of room, got {destination.Length}", nameof(destination));
        }
    }
}
