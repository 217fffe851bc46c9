using System.Security.Cryptography;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Sa.Tasks;

/// <summary>
/// IKE_AUTH with a pre-shared key (RFC 7296 §1.2, §2.15). Each side proves knowledge of the PSK
/// by a MAC over its own IKE_SA_INIT message, the peer's nonce and prf(SK_p, ID'):
/// <code>
/// AUTH = prf( prf(Shared Secret, "Key Pad for IKEv2"), &lt;SignedOctets&gt;)
/// InitiatorSignedOctets = RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
/// ResponderSignedOctets = RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
///
/// Initiator                         Responder
/// HDR, SK {IDi, [IDr,] AUTH, SAi2, TSi, TSr}  --&gt;
///                                &lt;--  HDR, SK {IDr, AUTH, SAr2, TSi, TSr}
/// </code>
/// The responder picks the tunnel configuration whose peer identity matches IDi (and whose
/// local identity matches IDr, when sent) and whose PSK verifies the AUTH payload.
/// </summary>
public sealed class IkeAuth(IkeSa sa, bool initiator, ICryptoFactory crypto) : IkeTaskBase(sa, initiator)
{
    public override ExchangeType Exchange => ExchangeType.IkeAuth;

    public override TaskStatus Build(List<Payload> message, IkeOutput output)
    {
        var config = Sa.Config!;
        var id = new IdPayload(IsInitiator, config.LocalId.Type, config.LocalId.Data);
        message.Add(id);
        if (IsInitiator)
        {
            message.Add(new NotifyPayload(NotifyType.InitialContact));
            if (config.PeerId is { } peerId) message.Add(new IdPayload(false, peerId.Type, peerId.Data));
        }
        message.Add(new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, ComputeAuth(config, IsInitiator, id)));
        return IsInitiator ? TaskStatus.NeedMore : TaskStatus.Done;
    }

    public override TaskStatus Process(IkeMessage message, IkeOutput output) =>
        IsInitiator ? ProcessResponse(message) : ProcessRequest(message);

    private TaskStatus ProcessRequest(IkeMessage m)
    {
        var idi = m.GetAll<IdPayload>().FirstOrDefault(i => i.IsInitiator);
        var idr = m.GetAll<IdPayload>().FirstOrDefault(i => !i.IsInitiator);
        var auth = m.Get<AuthPayload>();
        if (idi is null || auth is null)
            return Fail(NotifyType.AuthenticationFailed, "IKE_AUTH request lacks IDi or AUTH (EAP is not supported)");
        if (auth.Method != AuthMethod.SharedKeyMessageIntegrityCode)
            return Fail(NotifyType.AuthenticationFailed, $"peer uses authentication method {auth.Method}; only PSK is configured");

        var peerIdentity = new IkeIdentity(idi.IdType, idi.Data);
        foreach (var config in Sa.Candidates)
        {
            if (config.PeerId is { } expected ? !expected.Matches(peerIdentity) : !MatchesAddress(peerIdentity)) continue;
            if (idr is not null && !config.LocalId.Matches(new IkeIdentity(idr.IdType, idr.Data))) continue;
            if (ProposalSelector.Select(crypto, [Sa.IkeProposal!.ToProposal([])], config.IkeProposals, ProtocolId.Ike) is null) continue;
            var expectedAuth = ComputeAuth(config, isInitiator: true, idi);
            if (!CryptographicOperations.FixedTimeEquals(expectedAuth, auth.Data)) continue;
            Sa.Config = config;
            Sa.PeerIdentity = peerIdentity;
            return TaskStatus.NeedMore;
        }
        return Fail(NotifyType.AuthenticationFailed, $"no tunnel accepts peer identity {peerIdentity} with the AUTH it sent");
    }

    private TaskStatus ProcessResponse(IkeMessage m)
    {
        if (m.GetNotify(NotifyType.AuthenticationFailed) is not null)
            return Fail(NotifyType.AuthenticationFailed, "peer refused our authentication (AUTHENTICATION_FAILED)");
        if (FirstError(m) is { } err && m.Get<AuthPayload>() is null)
            return Fail(err.NotifyType, $"peer answered IKE_AUTH with {err.NotifyType}");
        var idr = m.GetAll<IdPayload>().FirstOrDefault(i => !i.IsInitiator);
        var auth = m.Get<AuthPayload>();
        if (idr is null || auth is null)
            return Fail(NotifyType.AuthenticationFailed, "IKE_AUTH response lacks IDr or AUTH");
        var config = Sa.Config!;
        var peerIdentity = new IkeIdentity(idr.IdType, idr.Data);
        if (config.PeerId is { } expected ? !expected.Matches(peerIdentity) : !MatchesAddress(peerIdentity))
            return Fail(NotifyType.AuthenticationFailed, $"responder identity {peerIdentity} is not the configured one");
        if (auth.Method != AuthMethod.SharedKeyMessageIntegrityCode ||
            !CryptographicOperations.FixedTimeEquals(ComputeAuth(config, isInitiator: false, idr), auth.Data))
            return Fail(NotifyType.AuthenticationFailed, "responder's AUTH payload does not verify");
        Sa.PeerIdentity = peerIdentity;
        return TaskStatus.Done;
    }

    /// <summary>Without a configured peer identity, the peer must identify as its own IP address.</summary>
    private bool MatchesAddress(IkeIdentity id) =>
        id.Type is IdType.Ipv4Addr or IdType.Ipv6Addr && id.Data.AsSpan().SequenceEqual(Sa.RemoteEndpoint.Address.GetAddressBytes());

    /// <summary>The AUTH value the side <paramref name="isInitiator"/> must send, given its ID payload.</summary>
    private byte[] ComputeAuth(TunnelConfig config, bool isInitiator, IdPayload id)
    {
        var prf = Sa.Keymat!.Prf;
        var keys = Sa.Keymat.Keys;
        var idBody = new byte[4 + id.Data.Length];
        idBody[0] = (byte)id.IdType;
        id.Data.CopyTo(idBody, 4);
        var macedId = prf.Compute(isInitiator ? keys.SkPi : keys.SkPr, idBody);
        var realMessage = isInitiator ? Sa.InitRequest! : Sa.InitResponse!;
        var nonce = isInitiator ? Sa.Nr! : Sa.Ni!;
        var signed = new byte[realMessage.Length + nonce.Length + macedId.Length];
        realMessage.CopyTo(signed, 0);
        nonce.CopyTo(signed, realMessage.Length);
        macedId.CopyTo(signed, realMessage.Length + nonce.Length);
        return KeyDerivation.ComputePskAuth(prf, config.Psk, signed);
    }
}
