namespace Isthmus.Ike.Config;

/// <summary>Values a tunnel gets for settings its manifest leaves out. Strong by default (RFC 8247, RFC 8221).</summary>
public static class TunnelDefaults
{
    /// <summary>IKE proposals: AES-GCM-256 with PRF-SHA384 and ECP-384, then AES-CBC-256/SHA-256 with ECP-256 for peers without AEAD IKE.</summary>
    public static IReadOnlyList<string> IkeProposals { get; } = ["aes256gcm16-prfsha384-ecp384", "aes256-sha256-ecp256"];

    /// <summary>ESP proposals: AES-GCM-256, then AES-GCM-128; no PFS.</summary>
    public static IReadOnlyList<string> EspProposals { get; } = ["aes256gcm16", "aes128gcm16"];

    public static TimeSpan IkeRekeyTime { get; } = TimeSpan.FromHours(4);

    public static TimeSpan ChildRekeyTime { get; } = TimeSpan.FromHours(1);

    public static TimeSpan DpdDelay { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Anti-replay window in packets (strongSwan's default).</summary>
    public const uint ReplayWindow = 32;

    public const int PeerPort = 500;

    /// <summary>Hard lifetime when only the rekey time is given: rekey time plus 10 % (strongSwan's default over-time).</summary>
    public static TimeSpan LifetimeFor(TimeSpan rekeyTime) => rekeyTime + rekeyTime / 10;
}
