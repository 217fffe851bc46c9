using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// NAT detection in IKE_SA_INIT (RFC 7296 §2.23): each side sends
/// SHA-1(SPIi | SPIr | IP | port) of its own and of the peer's endpoint. A mismatch of the
/// source hash means the peer is behind a NAT; of the destination hash, that we are. Either
/// floats the IKE SA to UDP 4500 and makes the Child SAs UDP-encapsulated (RFC 3948).
/// <see cref="NatTraversalMode.Force"/> sends a source hash that cannot match, so both ends
/// encapsulate as if this end were behind a NAT (as strongSwan's <c>encap = yes</c> does);
/// <see cref="NatTraversalMode.Disabled"/> sends and honours no NAT_DETECTION notifies. The random
/// hash comes from the injected <see cref="IRandomSource"/>.
/// </summary>
public sealed class IkeNatDetection(IkeSa sa, bool initiator, IRandomSource random) : IkeTaskBase(sa, initiator)
{
    private bool _peerSupportsNatT;

    public override ExchangeType Exchange => ExchangeType.IkeSaInit;

    /// <summary>The tunnel's setting; a responder, which does not know its tunnel yet, follows its candidates.</summary>
    private NatTraversalMode Mode => Sa.Config?.NatTraversal
        ?? (Sa.Candidates.Any(c => c.NatTraversal == NatTraversalMode.Force) ? NatTraversalMode.Force
            : Sa.Candidates.Count > 0 && Sa.Candidates.All(c => c.NatTraversal == NatTraversalMode.Disabled) ? NatTraversalMode.Disabled
            : NatTraversalMode.Auto);

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        // In the request SPIr is zero; in the response both SPIs are set.
        var spiR = IsInitiator ? 0UL : Sa.SpiR;
        if (Mode == NatTraversalMode.Disabled || !IsInitiator && !_peerSupportsNatT) return IsInitiator ? TaskStatus.NeedMore : TaskStatus.Done;
        var source = Mode == NatTraversalMode.Force ? random.GetBytes(SHA1.HashSizeInBytes) : Hash(Sa.SpiI, spiR, Sa.LocalEndpoint);
        if (Mode == NatTraversalMode.Force) Sa.NatLocal = true;
        message.Add(new NotifyPayload(NotifyType.NatDetectionSourceIp, source));
        message.Add(new NotifyPayload(NotifyType.NatDetectionDestinationIp, Hash(Sa.SpiI, spiR, Sa.RemoteEndpoint)));
        return IsInitiator ? TaskStatus.NeedMore : TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output)
    {
        var sources = message.GetAll<NotifyPayload>().Where(n => n.NotifyType == NotifyType.NatDetectionSourceIp).ToList();
        var destination = message.GetNotify(NotifyType.NatDetectionDestinationIp);
        if (Mode == NatTraversalMode.Disabled || sources.Count == 0 || destination is null) return IsInitiator ? TaskStatus.Done : TaskStatus.NeedMore;
        _peerSupportsNatT = true;

        var spiR = IsInitiator ? message.Header.ResponderSpi : 0UL;
        var peerHash = Hash(message.Header.InitiatorSpi, spiR, Sa.RemoteEndpoint);
        var ourHash = Hash(message.Header.InitiatorSpi, spiR, Sa.LocalEndpoint);
        // RFC 7296 §2.23: any matching source hash means the peer is not behind a NAT.
        Sa.NatRemote = !sources.Any(s => CryptographicOperations.FixedTimeEquals(s.Data, peerHash));
        Sa.NatLocal = Mode == NatTraversalMode.Force || !CryptographicOperations.FixedTimeEquals(destination.Data, ourHash);
        return IsInitiator ? TaskStatus.Done : TaskStatus.NeedMore;
    }

    internal static byte[] Hash(ulong spiI, ulong spiR, IPEndPoint endpoint)
    {
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        var bytes = address.GetAddressBytes();
        var input = new byte[16 + bytes.Length + 2];
        BinaryPrimitives.WriteUInt64BigEndian(input, spiI);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(8), spiR);
        bytes.CopyTo(input, 16);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(16 + bytes.Length), (ushort)endpoint.Port);
        return SHA1.HashData(input);
    }
}
