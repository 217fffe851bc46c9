using Isthmus.Api.V1Alpha1;
using Isthmus.Ike.Config;
using k8s.Models;

namespace Isthmus.Operator.Tunnels;

/// <summary>
/// The result of validating one tunnel against its references: accepted or not (with a CamelCase reason and
/// a message naming the fields), the weak-algorithm warnings, and the resolved inputs a node config needs.
/// Error messages never contain key material.
/// </summary>
public sealed class TunnelValidation
{
    public required bool Accepted { get; init; }

    /// <summary>Accepted, InvalidSpec, SecretNotFound or TrafficSelectorNotFound.</summary>
    public required string Reason { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>One line per proposal with weak algorithms (from <see cref="WeakAlgorithms"/>).</summary>
    public IReadOnlyList<string> WeakCryptography { get; init; } = [];

    /// <summary>The daemon's view of the tunnel, when accepted.</summary>
    public TunnelConfig? Config { get; init; }

    /// <summary>The tunnel validated.</summary>
    public V1Alpha1IpsecTunnel? Tunnel { get; init; }

    /// <summary>The referenced TrafficSelectors, when accepted.</summary>
    public IReadOnlyList<V1Alpha1TrafficSelector> TrafficSelectors { get; init; } = [];

    /// <summary>The PSK Secret reduced to the referenced key, when accepted.</summary>
    public V1Secret? PskSecret { get; init; }

    public override string ToString() => Accepted ? "Accepted" : $"{Reason}: {Message}";
}
