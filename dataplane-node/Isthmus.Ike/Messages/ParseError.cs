using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Why a message or payload failed to parse. The code decides the answer an IKE responder sends
/// (see <see cref="ParseError.Notify"/>); the reason text is for logs and counters.
/// </summary>
public enum ParseErrorCode
{
    /// <summary>The bytes end before a field the structure needs (a header, or a payload longer than what is left of the datagram).</summary>
    Truncated,

    /// <summary>Two lengths that must agree do not: the IKE header Length and the datagram, or the end of the payload chain and the end of the data.</summary>
    LengthMismatch,

    /// <summary>A length field or a body size outside what the RFC allows for that structure, or inconsistent with its container.</summary>
    InvalidLength,

    /// <summary>A field holds a value the RFC forbids in that place (an SPI size, a TS type, a proposal number, a count).</summary>
    InvalidValue,

    /// <summary>A Last Substruc field of a proposal or transform (RFC 7296 §3.3) that contradicts its position.</summary>
    InvalidSubstructure,

    /// <summary>A payload of a type this implementation does not know, with the critical bit set (RFC 7296 §2.5).</summary>
    UnsupportedCriticalPayload,

    /// <summary>An IKE header whose major version is not 2 (RFC 7296 §2.5).</summary>
    InvalidMajorVersion,

    /// <summary>An Encrypted payload found inside the plaintext of an Encrypted payload.</summary>
    NestedEncryptedPayload,

    /// <summary>An Encrypted (or Encrypted Fragment) payload followed by more payloads; it must be the last (RFC 7296 §3.14, RFC 7383 §2.5).</summary>
    EncryptedPayloadNotLast,
}

/// <summary>
/// A typed parse failure. <paramref name="Payload"/> names the payload being parsed when the error
/// was found (<see cref="PayloadType.NoNextPayload"/> for the IKE header or the chain itself).
/// </summary>
public readonly record struct ParseError(ParseErrorCode Code, string Reason, PayloadType Payload = PayloadType.NoNextPayload)
{
    /// <summary>
    /// The error notify a responder answers with (RFC 7296 §2.21.1, §3.10.1): UNSUPPORTED_CRITICAL_PAYLOAD,
    /// INVALID_MAJOR_VERSION, or INVALID_SYNTAX for every other malformation.
    /// </summary>
    public NotifyType Notify => Code switch
    {
        ParseErrorCode.UnsupportedCriticalPayload => NotifyType.UnsupportedCriticalPayload,
        ParseErrorCode.InvalidMajorVersion => NotifyType.InvalidMajorVersion,
        _ => NotifyType.InvalidSyntax,
    };

    /// <summary>
    /// Notification data for <see cref="Notify"/>: for UNSUPPORTED_CRITICAL_PAYLOAD one octet, the
    /// payload type (RFC 7296 §3.10.1); otherwise empty.
    /// </summary>
    public byte[] NotifyData => Code == ParseErrorCode.UnsupportedCriticalPayload ? [(byte)Payload] : [];

    public override string ToString() => $"{Code}: {Reason}";
}
