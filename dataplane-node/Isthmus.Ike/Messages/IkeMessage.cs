using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// An IKE message (RFC 7296 §3): the header and its payload chain. When the chain ends in an
/// Encrypted payload, the SA layer decrypts its body and parses the plaintext with
/// <see cref="PayloadChain.TryRead"/> (<c>insideEncrypted: true</c>).
/// </summary>
public sealed record IkeMessage(IkeHeader Header, IReadOnlyList<Payload> Payloads)
{
    /// <summary>
    /// Decodes one datagram: the header (<see cref="IkeHeader.TryRead"/>), a header Length equal to
    /// the datagram length (else <see cref="ParseErrorCode.LengthMismatch"/>), and the payload chain.
    /// Never throws on malformed input.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> datagram, out IkeMessage? message, out ParseError error)
    {
        message = null;
        if (!IkeHeader.TryRead(datagram, out var header, out error))
        {
            return false;
        }

        if (header.Length != (uint)datagram.Length)
        {
            error = new ParseError(ParseErrorCode.LengthMismatch, $"IKE header Length {header.Length} does not match the datagram of {datagram.Length} octets");
            return false;
        }

        if (!PayloadChain.TryRead(datagram[IkeHeader.Size..], header.NextPayload, out var payloads, out error))
        {
            return false;
        }

        message = new IkeMessage(header, payloads);
        return true;
    }

    /// <summary>Encodes the message; the header's Next Payload and Length are recomputed from <see cref="Payloads"/>.</summary>
    public byte[] Encode()
    {
        int length = IkeHeader.Size + PayloadChain.GetLength(Payloads);
        var buffer = new byte[length];
        var header = Header with { NextPayload = PayloadChain.FirstType(Payloads), Length = (uint)length };
        header.Write(buffer);
        PayloadChain.Write(Payloads, buffer.AsSpan(IkeHeader.Size));
        return buffer;
    }

    /// <summary>The first payload of class <typeparamref name="T"/>, or null.</summary>
    public T? Get<T>() where T : Payload
    {
        foreach (var payload in Payloads)
        {
            if (payload is T match)
            {
                return match;
            }
        }

        return null;
    }

    /// <summary>Every payload of class <typeparamref name="T"/>, in message order.</summary>
    public IEnumerable<T> GetAll<T>() where T : Payload => Payloads.OfType<T>();

    /// <summary>The first Notify payload of the given type, or null.</summary>
    public NotifyPayload? GetNotify(NotifyType type)
    {
        foreach (var payload in Payloads)
        {
            if (payload is NotifyPayload notify && notify.NotifyType == type)
            {
                return notify;
            }
        }

        return null;
    }
}
