namespace Isthmus.Testing.Network;

/// <summary>
/// IKE SA keys charon derived (RFC 7296 §2.14), as uppercase hex, read from its log at <c>ike = 4</c>.
/// <see cref="ToString"/> never prints key material.
/// </summary>
public sealed class LoggedIkeKeys
{
    /// <summary>Connection name from the log's <c>&lt;name|uid&gt;</c> prefix, when present.</summary>
    public string? IkeName { get; init; }

    /// <summary>IKE SA unique id from the log prefix (matches <see cref="SwanIkeSa.UniqueId"/>).</summary>
    public int? IkeUniqueId { get; init; }

    /// <summary>SK_d.</summary>
    public required string SkD { get; init; }

    /// <summary>SK_ai; null with an AEAD cipher.</summary>
    public string? SkAi { get; init; }

    /// <summary>SK_ar; null with an AEAD cipher.</summary>
    public string? SkAr { get; init; }

    /// <summary>SK_ei (for AES-GCM: key followed by the 4-octet salt, RFC 5282 §7.1).</summary>
    public required string SkEi { get; init; }

    /// <summary>SK_er.</summary>
    public required string SkEr { get; init; }

    /// <summary>SK_pi.</summary>
    public required string SkPi { get; init; }

    /// <summary>SK_pr.</summary>
    public required string SkPr { get; init; }

    /// <inheritdoc />
    public override string ToString() => $"IKE keys of {IkeName ?? "?"}[{IkeUniqueId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}] (redacted)";
}

/// <summary>
/// Child SA keys charon derived (RFC 7296 §2.17), as uppercase hex, read from its log at <c>chd = 4</c>, tied to
/// the SPIs of the following "CHILD_SA name{N} established with SPIs IN_i OUT_o" line. "Initiator" means the
/// initiator of the exchange that created the Child SA, so both peers log the same four keys.
/// <see cref="ToString"/> never prints key material.
/// </summary>
public sealed class LoggedChildKeys
{
    /// <summary>Child name.</summary>
    public required string ChildName { get; init; }

    /// <summary>Child SA unique id (matches <see cref="SwanChildSa.UniqueId"/>).</summary>
    public required int ChildUniqueId { get; init; }

    /// <summary>Connection name from the log prefix, when present.</summary>
    public string? IkeName { get; init; }

    /// <summary>IKE SA unique id from the log prefix, when present.</summary>
    public int? IkeUniqueId { get; init; }

    /// <summary>This peer's inbound SPI, 8 lowercase hex digits (as <see cref="SwanChildSa.SpiIn"/>).</summary>
    public required string SpiIn { get; init; }

    /// <summary>This peer's outbound SPI.</summary>
    public required string SpiOut { get; init; }

    /// <summary>Encryption key for traffic from the initiator (AES-GCM: key plus 4-octet salt).</summary>
    public string? EncryptionInitiatorKey { get; init; }

    /// <summary>Encryption key for traffic from the responder.</summary>
    public string? EncryptionResponderKey { get; init; }

    /// <summary>Integrity key initiator to responder; null with AEAD.</summary>
    public string? IntegrityInitiatorKey { get; init; }

    /// <summary>Integrity key responder to initiator; null with AEAD.</summary>
    public string? IntegrityResponderKey { get; init; }

    /// <inheritdoc />
    public override string ToString() =>
        $"Child keys of {ChildName}{{{ChildUniqueId.ToString(System.Globalization.CultureInfo.InvariantCulture)}}} in {SpiIn} out {SpiOut} (redacted)";
}
