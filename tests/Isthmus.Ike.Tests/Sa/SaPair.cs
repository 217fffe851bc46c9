using System.Net;
using System.Text;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;
using Microsoft.Extensions.Time.Testing;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Two IKE daemons' SA tables wired back to back in memory: what one sends, the test hands to
/// the other (or drops, or alters). Time is a <see cref="FakeTimeProvider"/>.
/// </summary>
internal sealed class SaPair
{
    public static readonly IPEndPoint InitiatorEndpoint = new(IPAddress.Parse("192.0.2.1"), 500);
    public static readonly IPEndPoint ResponderEndpoint = new(IPAddress.Parse("192.0.2.2"), 500);

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    public IkeSaManager Initiator { get; }
    public IkeSaManager Responder { get; }
    public TunnelConfig InitiatorConfig { get; }
    public TunnelConfig ResponderConfig { get; }
    public List<IkeSaEvent> InitiatorEvents { get; } = [];
    public List<IkeSaEvent> ResponderEvents { get; } = [];

    /// <summary>Datagrams in flight: (to responder?, datagram).</summary>
    public Queue<(bool ToResponder, OutgoingDatagram Datagram)> Wire { get; } = new();

    /// <summary>
    /// Two SA tables. Each side draws its SPIs, nonces, IVs and key-exchange values from its own
    /// random source and creates its transforms with its own factory, when one is given.
    /// </summary>
    public SaPair(TunnelConfig initiator, TunnelConfig responder, IkeSaOptions? options = null,
        IRandomSource? initiatorRandom = null, IRandomSource? responderRandom = null,
        ICryptoFactory? initiatorCrypto = null, ICryptoFactory? responderCrypto = null)
    {
        InitiatorConfig = initiator;
        ResponderConfig = responder;
        Initiator = new IkeSaManager([initiator], Time, options, initiatorCrypto, initiatorRandom);
        Responder = new IkeSaManager([responder], Time, options, responderCrypto, responderRandom);
    }

    public static TunnelConfig Config(
        string name, string localId, string peerId, string ike = "aes256gcm16-prfsha384-ecp384", string esp = "aes128gcm16",
        string psk = "correct horse battery staple", string localTs = "10.1.0.0/16", string remoteTs = "10.2.0.0/16",
        IPAddress? peer = null, StartAction start = StartAction.Initiate) => new()
    {
        Name = name,
        PeerHost = (peer ?? IPAddress.Loopback).ToString(),
        PeerAddress = peer,
        LocalId = IkeIdentity.Parse(IdType.Fqdn, localId),
        PeerId = IkeIdentity.Parse(IdType.Fqdn, peerId),
        Psk = Encoding.UTF8.GetBytes(psk),
        IkeProposals = ike.Split(',').Select(p => ProposalParser.Parse(p, ProtocolId.Ike)).ToList(),
        EspProposals = esp.Split(',').Select(p => ProposalParser.Parse(p, ProtocolId.Esp)).ToList(),
        LocalTs = localTs.Split(',').Select(Selector).ToList(),
        RemoteTs = remoteTs.Split(',').Select(Selector).ToList(),
        ChildName = "net",
        StartAction = start,
    };

    public static TrafficSelector Selector(string cidr)
    {
        AddressText.TryParseCidr(cidr, out var first, out var last, out _);
        var v6 = first!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        return new TrafficSelector(v6 ? TsType.Ipv6AddrRange : TsType.Ipv4AddrRange, 0, 0, 65535, first, last!);
    }

    /// <summary>A standard pair: hq initiates to branch with matching selectors.</summary>
    public static SaPair Standard(string ike = "aes256gcm16-prfsha384-ecp384", string esp = "aes128gcm16", IkeSaOptions? options = null,
        string? responderIke = null, string responderPsk = "correct horse battery staple") => new(
        Config("hq", "hq.example.com", "branch.example.com", ike, esp, localTs: "10.1.0.0/16", remoteTs: "10.2.0.0/16",
            peer: ResponderEndpoint.Address),
        Config("branch", "branch.example.com", "hq.example.com", responderIke ?? ike, esp, psk: responderPsk,
            localTs: "10.2.0.0/16", remoteTs: "10.1.0.0/16", peer: InitiatorEndpoint.Address, start: StartAction.Respond),
        options);

    public IkeSa Start()
    {
        var output = new IkeOutput();
        var sa = Initiator.Initiate(InitiatorConfig, InitiatorEndpoint, ResponderEndpoint, output);
        Collect(output, toResponder: true);
        return sa;
    }

    private void Collect(IkeOutput output, bool toResponder)
    {
        foreach (var d in output.Datagrams) Wire.Enqueue((toResponder, d));
        (toResponder ? InitiatorEvents : ResponderEvents).AddRange(output.Events);
    }

    /// <summary>Delivers one datagram from the wire; returns it.</summary>
    public OutgoingDatagram DeliverOne(Func<byte[], byte[]>? alter = null)
    {
        var (toResponder, d) = Wire.Dequeue();
        var data = alter is null ? d.Data : alter(d.Data);
        var output = new IkeOutput();
        (toResponder ? Responder : Initiator).ProcessDatagram(data, d.Remote, d.Local, output);
        Collect(output, toResponder: !toResponder);
        return d;
    }

    /// <summary>Delivers until the wire is empty (bounded).</summary>
    public void Run(int max = 50)
    {
        for (var i = 0; i < max && Wire.Count > 0; i++) DeliverOne();
    }

    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        var o1 = new IkeOutput();
        Initiator.OnTimer(o1);
        Collect(o1, toResponder: true);
        var o2 = new IkeOutput();
        Responder.OnTimer(o2);
        Collect(o2, toResponder: false);
    }

    /// <summary>Hands a datagram of the test's making to the responder, as if from the initiator's endpoint; returns what it produced.</summary>
    public IkeOutput SendToResponder(byte[] datagram, IPEndPoint? from = null)
    {
        var output = new IkeOutput();
        Responder.ProcessDatagram(datagram, ResponderEndpoint, from ?? InitiatorEndpoint, output);
        ResponderEvents.AddRange(output.Events);
        return output;
    }

    /// <summary>Hands a datagram of the test's making to the initiator, as if from the responder's endpoint; returns what it produced.</summary>
    public IkeOutput SendToInitiator(byte[] datagram)
    {
        var output = new IkeOutput();
        Initiator.ProcessDatagram(datagram, InitiatorEndpoint, ResponderEndpoint, output);
        InitiatorEvents.AddRange(output.Events);
        return output;
    }

    /// <summary>Runs an owner call (Delete, DeleteChild...) on the initiator's side and puts what it sends on the wire.</summary>
    public void InitiatorDoes(Action<IkeOutput> action)
    {
        var output = new IkeOutput();
        action(output);
        Collect(output, toResponder: true);
    }

    /// <summary>Runs an owner call on the responder's side and puts what it sends on the wire.</summary>
    public void ResponderDoes(Action<IkeOutput> action)
    {
        var output = new IkeOutput();
        action(output);
        Collect(output, toResponder: false);
    }

    /// <summary>Runs IKE_SA_INIT only: the initiator's IKE_AUTH request is left on the wire.</summary>
    public void CompleteIkeSaInit()
    {
        Start();
        DeliverOne(); // IKE_SA_INIT request
        DeliverOne(); // IKE_SA_INIT response
    }

    public IkeSa? ResponderSa => Responder.Sas.SingleOrDefault();
    public IkeSa? InitiatorSa => Initiator.Sas.SingleOrDefault();
}
