using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Reads and writes a chain of payloads linked by their Next Payload fields (RFC 7296 §3.2): the
/// payloads after the IKE header, or the plaintext of an Encrypted payload.
/// </summary>
public static class PayloadChain
{
    private const byte CriticalBit = 0x80;

    /// <summary>
    /// Parses a chain of payloads that starts with type <paramref name="first"/> and must fill
    /// <paramref name="data"/> exactly. Known payload types are decoded into their classes. An
    /// unknown type without the critical bit becomes an <see cref="UnknownPayload"/> (kept, so
    /// callers may ignore it); with the critical bit it fails with
    /// <see cref="ParseErrorCode.UnsupportedCriticalPayload"/> naming the type (RFC 7296 §2.5).
    /// An Encrypted payload (SK, 46) must be the last; its Next Payload field is the first inner
    /// payload type (<see cref="EncryptedPayload.InnerFirst"/>). An Encrypted Fragment payload
    /// (SKF, 53, RFC 7383) must be the last as well and is kept as an <see cref="UnknownPayload"/>.
    /// With <paramref name="insideEncrypted"/> (parsing decrypted plaintext) either is an error.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, PayloadType first, out List<Payload> payloads, out ParseError error, bool insideEncrypted = false)
    {
        payloads = [];
        var next = first;
        int offset = 0;
        while (next != PayloadType.NoNextPayload)
        {
            int left = data.Length - offset;
            if (left < Payload.HeaderSize)
            {
                error = new ParseError(ParseErrorCode.Truncated, $"payload header of {next} needs {Payload.HeaderSize} octets, {left} left", next);
                return false;
            }

            var header = data[offset..];
            var following = (PayloadType)header[0];
            bool critical = (header[1] & CriticalBit) != 0;
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
            if (length < Payload.HeaderSize)
            {
                error = new ParseError(ParseErrorCode.InvalidLength, $"payload length {length} of {next} is below the {Payload.HeaderSize}-octet header", next);
                return false;
            }

            if (length > left)
            {
                error = new ParseError(ParseErrorCode.Truncated, $"payload length {length} of {next} exceeds the {left} octets left", next);
                return false;
            }

            var body = data.Slice(offset + Payload.HeaderSize, length - Payload.HeaderSize);
            offset += length;

            if (next is PayloadType.Encrypted or PayloadType.EncryptedFragment)
            {
                if (insideEncrypted)
                {
                    error = new ParseError(ParseErrorCode.NestedEncryptedPayload, $"{next} payload inside an Encrypted payload", next);
                    return false;
                }

                if (offset != data.Length)
                {
                    error = new ParseError(ParseErrorCode.EncryptedPayloadNotLast, $"{next} payload is followed by {data.Length - offset} more octets", next);
                    return false;
                }

                Payload encrypted;
                if (next == PayloadType.Encrypted)
                {
                    if (!EncryptedPayload.TryReadBody(body, following, out var sk, out error))
                    {
                        return false;
                    }

                    encrypted = sk!;
                }
                else if (critical)
                {
                    error = new ParseError(ParseErrorCode.UnsupportedCriticalPayload, $"critical payload type {(byte)next} (message fragmentation) is not supported", next);
                    return false;
                }
                else
                {
                    encrypted = new UnknownPayload(next, body.ToArray());
                }

                encrypted.SetCriticalFromWire(critical);
                payloads.Add(encrypted);
                error = default;
                return true;
            }

            if (!TryReadOne(body, next, critical, out var payload, out error))
            {
                return false;
            }

            payload!.SetCriticalFromWire(critical);
            payloads.Add(payload);
            next = following;
        }

        if (offset != data.Length)
        {
            error = new ParseError(ParseErrorCode.LengthMismatch, $"{data.Length - offset} octets follow the last payload");
            return false;
        }

        error = default;
        return true;
    }

    /// <summary>Encoded size of the chain: the sum of 4 + <see cref="Payload.BodyLength"/>.</summary>
    public static int GetLength(IReadOnlyList<Payload> payloads)
    {
        int length = 0;
        foreach (var payload in payloads)
        {
            length += Payload.HeaderSize + payload.BodyLength;
        }

        return length;
    }

    /// <summary>
    /// Writes the chain into <paramref name="destination"/>, linking each Next Payload field to the
    /// following payload's type; an Encrypted payload (which must be last) links to its
    /// <see cref="EncryptedPayload.InnerFirst"/>; the last payload otherwise links to 0.
    /// </summary>
    public static void Write(IReadOnlyList<Payload> payloads, Span<byte> destination)
    {
        int total = GetLength(payloads);
        if (destination.Length < total)
        {
            throw new ArgumentException($"payload chain needs {total} octets of room, got {destination.Length}", nameof(destination));
        }

        int offset = 0;
        for (int i = 0; i < payloads.Count; i++)
        {
            var payload = payloads[i];
            bool isLast = i == payloads.Count - 1;
            if (payload is EncryptedPayload && !isLast)
            {
                throw new InvalidOperationException("an Encrypted payload must be the last in its chain");
            }

            int length = Payload.HeaderSize + payload.BodyLength;
            if (length > ushort.MaxValue)
            {
                throw new InvalidOperationException($"{payload.Type} payload of {length} octets does not fit the 16-bit Payload Length");
            }

            var target = destination.Slice(offset, length);
            target[0] = payload switch
            {
                EncryptedPayload sk => (byte)sk.InnerFirst,
                _ when isLast => (byte)PayloadType.NoNextPayload,
                _ => (byte)payloads[i + 1].Type,
            };
            target[1] = payload.Critical ? CriticalBit : (byte)0;
            BinaryPrimitives.WriteUInt16BigEndian(target[2..], (ushort)length);
            payload.WriteBody(target[Payload.HeaderSize..]);
            offset += length;
        }
    }

    /// <summary>Encodes the chain into a new array.</summary>
    public static byte[] Encode(IReadOnlyList<Payload> payloads)
    {
        var buffer = new byte[GetLength(payloads)];
        Write(payloads, buffer);
        return buffer;
    }

    /// <summary>The type of the first payload, for the Next Payload field in front of the chain; <see cref="PayloadType.NoNextPayload"/> when empty.</summary>
    public static PayloadType FirstType(IReadOnlyList<Payload> payloads) =>
        payloads.Count == 0 ? PayloadType.NoNextPayload : payloads[0].Type;

    private static bool TryReadOne(ReadOnlySpan<byte> body, PayloadType type, bool critical, out Payload? payload, out ParseError error)
    {
        bool ok;
        switch (type)
        {
            case PayloadType.SecurityAssociation:
                ok = SaPayload.TryReadBody(body, out var sa, out error);
                payload = sa;
                break;
            case PayloadType.KeyExchange:
                ok = KePayload.TryReadBody(body, out var ke, out error);
                payload = ke;
                break;
            case PayloadType.IdentificationInitiator or PayloadType.IdentificationResponder:
                ok = IdPayload.TryReadBody(body, type == PayloadType.IdentificationInitiator, out var id, out error);
                payload = id;
                break;
            case PayloadType.Certificate:
                ok = CertPayload.TryReadBody(body, out var cert, out error);
                payload = cert;
                break;
            case PayloadType.CertificateRequest:
                ok = CertReqPayload.TryReadBody(body, out var certReq, out error);
                payload = certReq;
                break;
            case PayloadType.Authentication:
                ok = AuthPayload.TryReadBody(body, out var auth, out error);
                payload = auth;
                break;
            case PayloadType.Nonce:
                ok = NoncePayload.TryReadBody(body, out var nonce, out error);
                payload = nonce;
                break;
            case PayloadType.Notify:
                ok = NotifyPayload.TryReadBody(body, out var notify, out error);
                payload = notify;
                break;
            case PayloadType.Delete:
                ok = DeletePayload.TryReadBody(body, out var delete, out error);
                payload = delete;
                break;
            case PayloadType.VendorId:
                ok = VendorIdPayload.TryReadBody(body, out var vendorId, out error);
                payload = vendorId;
                break;
            case PayloadType.TrafficSelectorInitiator or PayloadType.TrafficSelectorResponder:
                ok = TsPayload.TryReadBody(body, type == PayloadType.TrafficSelectorInitiator, out var ts, out error);
                payload = ts;
                break;
            case PayloadType.Configuration:
                ok = ConfigurationPayload.TryReadBody(body, out var cp, out error);
                payload = cp;
                break;
            case PayloadType.ExtensibleAuthentication:
                ok = EapPayload.TryReadBody(body, out var eap, out error);
                payload = eap;
                break;
            default:
                if (critical)
                {
                    payload = null;
                    error = new ParseError(ParseErrorCode.UnsupportedCriticalPayload, $"critical payload type {(byte)type} is not supported", type);
                    return false;
                }

                payload = new UnknownPayload(type, body.ToArray());
                error = default;
                return true;
        }

        return ok;
    }
}
