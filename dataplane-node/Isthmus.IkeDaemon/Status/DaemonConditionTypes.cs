namespace Isthmus.IkeDaemon.Status;

/// <summary>
/// The two IpsecTunnel condition types the IKE daemon owns; the operator owns every other one (Ready, Accepted,
/// Scheduled, Degraded, WeakCryptography) and the daemon never writes those.
/// </summary>
public static class DaemonConditionTypes
{
    public const string IkeSaEstablished = "IkeSaEstablished";

    public const string ChildSaEstablished = "ChildSaEstablished";

    public static IReadOnlyList<string> All { get; } = [IkeSaEstablished, ChildSaEstablished];
}
