using System.Net;
using System.Text;
using Isthmus.Ike.Config;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Isthmus.IkeDaemon.Status;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.IkeDaemon.Tests.Status;

/// <summary>
/// Two gateways' IKE SA tables in memory, hq (192.0.2.1) and branch (192.0.2.2), each with the daemon's
/// <see cref="TunnelStatusTracker"/> feeding a status sink, exactly as <see cref="IkeDaemonHost"/> wires them.
/// Datagrams queue on a wire the test pumps (or drops); the IKE clock is a <see cref="FakeTimeProvider"/>.
/// </summary>
internal sealed class BackToBackPeers
{
    public static readonly IPEndPoint HqEndpoint = new(IPAddress.Parse("192.0.2.1"), 500);
    public static readonly IPEndPoint BranchEndpoint = new(IPAddress.Parse("192.0.2.2"), 500);
    public const string Psk = "s3cret-pre-shared-key-of-the-hq-branch-tunnel";

    private readonly Queue<(bool ToBranch, OutgoingDatagram Datagram)> _wire = new();

    public BackToBackPeers(TunnelConfig hq, TunnelConfig branch, ITunnelStatusSink hqSink, ITunnelStatusSink branchSink)
    {
        HqConfig = hq;
        BranchConfig = branch;
        Hq = new IkeSaManager([hq], Time);
        Branch = new IkeSaManager([branch], Time);
        HqStatus = new TunnelStatusTracker([hq], hqSink, Time);
        BranchStatus = new TunnelStatusTracker([branch], branchSink, Time);
        HqStatus.Start(Hq.Sas);
        BranchStatus.Start(Branch.Sas);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    public TunnelConfig HqConfig { get; }
    public TunnelConfig BranchConfig { get; }
    public IkeSaManager Hq { get; }
    public IkeSaManager Branch { get; }
    public TunnelStatusTracker HqStatus { get; }
    public TunnelStatusTracker BranchStatus { get; }
    public List<IkeSaEvent> HqEvents { get; } = [];

    public static TunnelConfig Tunnel(string name, string localId, string peerId, IPAddress peer, StartAction start,
        string localTs, string remoteTs, string ike = "aes256gcm16-prfsha384-ecp384", string esp = "aes128gcm16", string psk = Psk,
        TimeSpan? childRekey = null, TimeSpan? ikeRekey = null) => new()
    {
        Name = name,
        PeerHost = peer.ToString(),
        PeerAddress = peer,
        LocalId = IkeIdentity.Parse(IdType.Fqdn, localId),
        PeerId = IkeIdentity.Parse(IdType.Fqdn, peerId),
        Psk = Encoding.UTF8.GetBytes(psk),
        IkeProposals = [ProposalParser.Parse(ike, ProtocolId.Ike)],
        EspProposals = [ProposalParser.Parse(esp, ProtocolId.Esp)],
        LocalTs = [Selector(localTs)],
        RemoteTs = [Selector(remoteTs)],
        ChildName = "net",
        StartAction = start,
        ChildRekeyTime = childRekey ?? TimeSpan.FromHours(1),
        ChildLifetime = (childRekey ?? TimeSpan.FromHours(1)) * 1.1,
        IkeRekeyTime = ikeRekey ?? TimeSpan.FromHours(4),
        IkeLifetime = (ikeRekey ?? TimeSpan.FromHours(4)) * 1.1,
    };

    public static TunnelConfig HqTunnel(string ike = "aes256gcm16-prfsha384-ecp384", string localTs = "10.1.0.0/16", string remoteTs = "10.2.0.0/16",
        TimeSpan? childRekey = null, TimeSpan? ikeRekey = null) =>
        Tunnel("default/hq", "hq.example.com", "branch.example.com", BranchEndpoint.Address, StartAction.Initiate, localTs, remoteTs, ike,
            childRekey: childRekey, ikeRekey: ikeRekey);

    public static TunnelConfig BranchTunnel(string ike = "aes256gcm16-prfsha384-ecp384", string psk = Psk, string localTs = "10.2.0.0/16", string remoteTs = "10.1.0.0/16") =>
        Tunnel("default/branch", "branch.example.com", "hq.example.com", HqEndpoint.Address, StartAction.Respond, localTs, remoteTs, ike, psk: psk);

    private static TrafficSelector Selector(string cidr)
    {
        if (!AddressText.TryParseCidr(cidr, out var first, out var last, out var error)) throw new ArgumentException(error, nameof(cidr));
        var type = first!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? TsType.Ipv6AddrRange : TsType.Ipv4AddrRange;
        return new TrafficSelector(type, 0, 0, ushort.MaxValue, first, last!);
    }

    /// <summary>hq sends IKE_SA_INIT to branch.</summary>
    public IkeSa Initiate()
    {
        var output = new IkeOutput();
        var sa = Hq.Initiate(HqConfig, HqEndpoint, BranchEndpoint, output);
        Handle(output, fromHq: true);
        return sa;
    }

    /// <summary>Delivers datagrams until the wire is empty.</summary>
    public void Pump()
    {
        for (var i = 0; i < 100 && _wire.Count > 0; i++)
        {
            var (toBranch, d) = _wire.Dequeue();
            var output = new IkeOutput();
            (toBranch ? Branch : Hq).ProcessDatagram(d.Data, d.Remote, d.Local, output);
            Handle(output, fromHq: !toBranch);
        }
        Assert.Empty(_wire);
    }

    /// <summary>Loses whatever is on the wire.</summary>
    public void DropAll() => _wire.Clear();

    /// <summary>Moves the clock and runs both sides' timers.</summary>
    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        var hq = new IkeOutput();
        Hq.OnTimer(hq);
        Handle(hq, fromHq: true);
        var branch = new IkeOutput();
        Branch.OnTimer(branch);
        Handle(branch, fromHq: false);
    }

    /// <summary>Runs an owner call on hq (Delete, DeleteChild) and puts what it sends on the wire.</summary>
    public void HqDoes(Action<IkeOutput> action)
    {
        var output = new IkeOutput();
        action(output);
        Handle(output, fromHq: true);
    }

    public IkeSa HqSa => Hq.Sas.Single(s => s.State == IkeSaState.Established);

    private void Handle(IkeOutput output, bool fromHq)
    {
        foreach (var d in output.Datagrams) _wire.Enqueue((fromHq, d));
        if (fromHq)
        {
            HqEvents.AddRange(output.Events);
            HqStatus.Observe(output.Events, Hq.Sas);
        }
        else
        {
            BranchStatus.Observe(output.Events, Branch.Sas);
        }
    }
}
