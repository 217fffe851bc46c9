using System.Text.Json;
using System.Text.Json.Serialization;
using Isthmus.Api.V1Alpha1;

namespace Isthmus.IkeDaemon.Status;

/// <summary>One condition as the daemon sees it; <paramref name="Since"/> is when its status last changed in this daemon.</summary>
public sealed record DaemonCondition(V1Alpha1ConditionStatus Status, string Reason, string Message, DateTimeOffset Since);

/// <summary>
/// The part of <c>IpsecTunnel.status</c> the IKE daemon owns, for one tunnel: the two conditions, the IKE SA,
/// the Child SAs and the rekeys this daemon completed. Built from live SAs by <see cref="TunnelStatusTracker"/>;
/// never holds key material (the API types have no field for it).
/// </summary>
public sealed class TunnelSaStatus
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private string? _fingerprint;

    public required TunnelKey Tunnel { get; init; }

    public required DaemonCondition IkeSaEstablished { get; init; }

    public required DaemonCondition ChildSaEstablished { get; init; }

    /// <summary>The established IKE SA, or null when there is none.</summary>
    public V1Alpha1IkeSaStatus? IkeSa { get; init; }

    /// <summary>
    /// The installed Child SAs. Bytes and packets are 0: the dataplane's counters do not reach the IKE daemon yet.
    /// </summary>
    public IReadOnlyList<V1Alpha1ChildSaStatus> ChildSas { get; init; } = [];

    /// <summary>IKE and Child SA rekeys completed by this daemon since it started (the sink adds what the tunnel's status already counted).</summary>
    public long RekeyCount { get; init; }

    public DateTimeOffset? LastRekeyAt { get; init; }

    /// <summary>A canonical text of everything above except the conditions' <c>Since</c>: equal fingerprints need no new write.</summary>
    public string Fingerprint => _fingerprint ??= JsonSerializer.Serialize(new
    {
        ike = new { IkeSaEstablished.Status, IkeSaEstablished.Reason, IkeSaEstablished.Message },
        child = new { ChildSaEstablished.Status, ChildSaEstablished.Reason, ChildSaEstablished.Message },
        IkeSa,
        ChildSas,
        RekeyCount,
        LastRekeyAt,
    }, Json);

    public override string ToString() =>
        $"{Tunnel}: IKE {IkeSaEstablished.Status} ({IkeSaEstablished.Reason}), Child {ChildSaEstablished.Status} ({ChildSaEstablished.Reason}), {ChildSas.Count} Child SA(s), {RekeyCount} rekey(s)";
}
