using System.Net;
using System.Text;
using Isthmus.Ike.Messages;

namespace Isthmus.Ike.Config;

/// <summary>
/// Everything the IKE state machine needs for one tunnel, resolved and validated: endpoints, identities,
/// the pre-shared key, proposals, traffic selectors and timers. <see cref="ToString"/> never shows the key.
/// </summary>
public sealed class TunnelConfig
{
    /// <summary>namespace/name of the IpsecTunnel.</summary>
    public required string Name { get; init; }

    /// <summary>Address to send from; null to let the node choose by route.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The peer as configured: an address literal or a DNS name.</summary>
    public required string PeerHost { get; init; }

    public int PeerPort { get; init; } = TunnelDefaults.PeerPort;

    /// <summary>The peer's address when <see cref="PeerHost"/> is a literal; null when it must be resolved.</summary>
    public IPAddress? PeerAddress { get; init; }

    public required IkeIdentity LocalId { get; init; }

    /// <summary>The identity the peer must prove; null means the peer's address (as IPv4/IPv6 identity).</summary>
    public IkeIdentity? PeerId { get; init; }

    /// <summary>The pre-shared key (RFC 7296 section 2.15). Secret: never log or print it.</summary>
    public required byte[] Psk { get; init; }

    /// <summary>IKE SA proposals, in order of preference.</summary>
    public required IReadOnlyList<Proposal> IkeProposals { get; init; }

    /// <summary>Child SA (ESP) proposals, in order of preference; a DH group in one means PFS.</summary>
    public required IReadOnlyList<Proposal> EspProposals { get; init; }

    /// <summary>Local traffic selectors (TSi when initiating).</summary>
    public required IReadOnlyList<TrafficSelector> LocalTs { get; init; }

    /// <summary>Remote traffic selectors (TSr when initiating).</summary>
    public required IReadOnlyList<TrafficSelector> RemoteTs { get; init; }

    public StartAction StartAction { get; init; } = StartAction.Initiate;

    public TimeSpan IkeRekeyTime { get; init; } = TunnelDefaults.IkeRekeyTime;

    /// <summary>Hard lifetime of the IKE SA.</summary>
    public TimeSpan IkeLifetime { get; init; } = TunnelDefaults.LifetimeFor(TunnelDefaults.IkeRekeyTime);

    public TimeSpan ChildRekeyTime { get; init; } = TunnelDefaults.ChildRekeyTime;

    /// <summary>Hard time lifetime of the Child SA.</summary>
    public TimeSpan ChildLifetime { get; init; } = TunnelDefaults.LifetimeFor(TunnelDefaults.ChildRekeyTime);

    /// <summary>Bytes after which the Child SA is rekeyed; 0 for no limit.</summary>
    public ulong ChildRekeyBytes { get; init; }

    /// <summary>Bytes after which the Child SA is deleted; 0 for no limit.</summary>
    public ulong ChildLifeBytes { get; init; }

    /// <summary>Packets after which the Child SA is rekeyed; 0 for no limit.</summary>
    public ulong ChildRekeyPackets { get; init; }

    /// <summary>Packets after which the Child SA is deleted; 0 for no limit.</summary>
    public ulong ChildLifePackets { get; init; }

    /// <summary>Dead peer detection interval; zero disables DPD.</summary>
    public TimeSpan DpdDelay { get; init; } = TunnelDefaults.DpdDelay;

    public NatTraversalMode NatTraversal { get; init; } = NatTraversalMode.Auto;

    /// <summary>Whether IKE fragmentation (RFC 7383) is offered.</summary>
    public bool Fragmentation { get; init; } = true;

    /// <summary>Name of the Child SA.</summary>
    public required string ChildName { get; init; }

    /// <summary>Anti-replay window in packets; 0 disables replay checks.</summary>
    public uint ReplayWindow { get; init; } = TunnelDefaults.ReplayWindow;

    /// <summary>Warnings that do not stop the tunnel, e.g. weak algorithms (for the WeakCryptography condition).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>A one-line summary for logs. The pre-shared key is shown as <c>&lt;redacted&gt;</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Name).Append(": ");
        sb.Append(LocalAddress?.ToString() ?? "%any").Append(" -> ").Append(PeerHost).Append('[').Append(PeerPort).Append(']');
        sb.Append(", ").Append(StartAction);
        sb.Append(", local id '").Append(LocalId).Append("', peer id '").Append(PeerId?.ToString() ?? PeerAddress?.ToString() ?? PeerHost).Append('\'');
        sb.Append(", auth psk=<redacted>");
        sb.Append(", ike [").Append(string.Join(", ", IkeProposals.Select(ProposalFormatter.Format))).Append(']');
        sb.Append(", child '").Append(ChildName).Append("' esp [").Append(string.Join(", ", EspProposals.Select(ProposalFormatter.Format))).Append(']');
        sb.Append(", ts ").Append(string.Join(",", LocalTs.Select(TrafficSelectorText.Format)))
          .Append(" === ").Append(string.Join(",", RemoteTs.Select(TrafficSelectorText.Format)));
        return sb.ToString();
    }
}
