namespace Isthmus.Api.V1Alpha1;

/// <summary>
/// The condition types of an IpsecTunnel and who owns them. The operator writes Ready, Accepted, Scheduled,
/// Degraded and WeakCryptography; the IKE daemon on the active node writes IkeSaEstablished and
/// ChildSaEstablished, which the operator reads (for Ready) but never changes.
/// </summary>
public static class ConditionTypes
{
    /// <summary>The tunnel carries traffic: accepted, scheduled, IKE SA and Child SA established.</summary>
    public const string Ready = "Ready";

    /// <summary>The spec is valid and every reference (TrafficSelectors, PSK Secret) resolves.</summary>
    public const string Accepted = "Accepted";

    /// <summary>The tunnel has an active gateway node (<c>status.activeNode</c>).</summary>
    public const string Scheduled = "Scheduled";

    /// <summary>Owned by the IKE daemon: the IKE SA is established.</summary>
    public const string IkeSaEstablished = "IkeSaEstablished";

    /// <summary>Owned by the IKE daemon: the Child SA(s) are installed.</summary>
    public const string ChildSaEstablished = "ChildSaEstablished";

    /// <summary>The tunnel runs but with less redundancy than configured (a candidate gateway is NotReady).</summary>
    public const string Degraded = "Degraded";

    /// <summary>A proposal offers an algorithm below current recommendations (3DES, Blowfish, SHA-1, MODP &lt; 2048).</summary>
    public const string WeakCryptography = "WeakCryptography";

    /// <summary>The types the operator owns.</summary>
    public static IReadOnlyList<string> OperatorOwned { get; } = [Ready, Accepted, Scheduled, Degraded, WeakCryptography];

    /// <summary>The types the IKE daemon on the active node owns; the operator never writes them.</summary>
    public static IReadOnlyList<string> DaemonOwned { get; } = [IkeSaEstablished, ChildSaEstablished];

    /// <summary>Every type, in display order.</summary>
    public static IReadOnlyList<string> All { get; } = [Ready, Accepted, Scheduled, IkeSaEstablished, ChildSaEstablished, Degraded, WeakCryptography];
}
