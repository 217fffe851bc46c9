using Isthmus.Ike.Config;
using Isthmus.Ike.Sa;
using Isthmus.IkeDaemon.Control;

namespace Isthmus.IkeDaemon;

/// <summary>Turns live SAs into snapshots and log lines (never with keys).</summary>
public static class SaFormatting
{
    public static IkeSaSnapshot Snapshot(IkeSa sa) => new(
        sa.Config?.Name ?? "(unmatched)",
        sa.State.ToString().ToUpperInvariant(),
        sa.IsInitiator ? "initiator" : "responder",
        sa.SpiI.ToString("x16"),
        sa.SpiR.ToString("x16"),
        sa.LocalEndpoint.ToString(),
        sa.RemoteEndpoint.ToString(),
        sa.Config?.LocalId.ToString(),
        sa.PeerIdentity?.ToString(),
        sa.IkeProposal is { } p ? ProposalFormatter.Format(p.ToProposal([])) : null,
        sa.NatLocal,
        sa.NatRemote,
        sa.EstablishedAt,
        sa.DroppedMessages,
        sa.ChildSas.Select(Snapshot).ToList());

    public static ChildSaSnapshot Snapshot(ChildSa c) => new(
        c.Name,
        "INSTALLED",
        c.SpiIn.ToString("x8"),
        c.SpiOut.ToString("x8"),
        ProposalFormatter.Format(c.Proposal.ToProposal([])),
        c.UdpEncapsulation,
        c.LocalTs.Select(TrafficSelectorText.Format).ToList(),
        c.RemoteTs.Select(TrafficSelectorText.Format).ToList(),
        c.EstablishedAt);

    /// <summary>Renders SAs in the spirit of `swanctl --list-sas`.</summary>
    public static string Render(DaemonSnapshot snapshot)
    {
        var w = new StringWriter();
        foreach (var sa in snapshot.Sas)
        {
            w.WriteLine($"{sa.Tunnel}: #{sa.SpiI[..8]}, {sa.State}, IKEv2, {sa.SpiI}_i{(sa.Role == "initiator" ? "*" : "")} {sa.SpiR}_r{(sa.Role == "responder" ? "*" : "")}");
            w.WriteLine($"  local  '{sa.LocalId}' @ {sa.LocalEndpoint}{(sa.NatLocal ? " [NAT]" : "")}");
            w.WriteLine($"  remote '{sa.RemoteId}' @ {sa.RemoteEndpoint}{(sa.NatRemote ? " [NAT]" : "")}");
            if (sa.Algorithms is not null) w.WriteLine($"  {sa.Algorithms}");
            if (sa.EstablishedAt is { } at) w.WriteLine($"  established {(int)(DateTimeOffset.UtcNow - at).TotalSeconds}s ago");
            foreach (var c in sa.ChildSas)
            {
                w.WriteLine($"  {c.Name}: {c.State}, TUNNEL{(c.UdpEncapsulation ? "-in-UDP" : "")}, ESP SPIs: {c.SpiIn}_i {c.SpiOut}_o");
                w.WriteLine($"    {c.Algorithms}");
                w.WriteLine($"    local  {string.Join(" ", c.LocalTs)}");
                w.WriteLine($"    remote {string.Join(" ", c.RemoteTs)}");
            }
        }
        if (snapshot.Sas.Count == 0) w.WriteLine("no IKE SAs");
        w.WriteLine($"dropped datagrams: {snapshot.DroppedDatagrams}, NAT keepalives received: {snapshot.NatKeepalivesReceived}, ESP-in-UDP packets ignored: {snapshot.EspPacketsIgnored}");
        return w.ToString();
    }
}
