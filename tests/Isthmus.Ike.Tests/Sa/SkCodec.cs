using System.Security.Cryptography;
using Isthmus.Ike.Config;
using Isthmus.Ike.Crypto;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Builds and opens protected messages with an SA's real keys, the way a peer that knows them
/// (an unauthenticated initiator after IKE_SA_INIT, or a man in the middle of the test) would:
/// the SK payload of RFC 7296 §3.14 around payloads of the test's choosing.
/// </summary>
internal static class SkCodec
{
    private static readonly CryptoRegistry Crypto = new();

    /// <summary>A protector that sends as <paramref name="asInitiator"/> with <paramref name="sa"/>'s negotiated cipher and keys.</summary>
    public static EncryptedPayloadProtector Protector(IkeSa sa, bool asInitiator)
    {
        var p = sa.IkeProposal ?? throw new InvalidOperationException("the SA has no keys yet");
        Assert.True(Crypto.TryCreateCipher(p.Encryption, p.EncryptionKeyLength, out var cipher));
        IIntegrity? integrity = null;
        if (!cipher.IsAead) Assert.True(Crypto.TryCreateIntegrity(p.Integrity, out integrity));
        return new EncryptedPayloadProtector(cipher, integrity, sa.Keys!, asInitiator, SystemRandomSource.Instance);
    }

    /// <summary>A request from the original initiator (or, with <paramref name="fromInitiator"/> false, from the responder).</summary>
    public static byte[] Request(IkeSa sa, ExchangeType exchange, uint messageId, IReadOnlyList<Payload> inner, bool fromInitiator = true) =>
        Protector(sa, fromInitiator).Protect(
            new IkeHeader(sa.SpiI, sa.SpiR, PayloadType.NoNextPayload, exchange,
                fromInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None, messageId, 0), inner);

    /// <summary>A response sent by the original responder (or, with <paramref name="fromInitiator"/>, by the initiator).</summary>
    public static byte[] Response(IkeSa sa, ExchangeType exchange, uint messageId, IReadOnlyList<Payload> inner, bool fromInitiator = false) =>
        Protector(sa, fromInitiator).Protect(
            new IkeHeader(sa.SpiI, sa.SpiR, PayloadType.NoNextPayload, exchange,
                IkeHeaderFlags.Response | (fromInitiator ? IkeHeaderFlags.Initiator : IkeHeaderFlags.None), messageId, 0), inner);

    /// <summary>Decrypts and parses a protected message; the sender's role is read from its I flag.</summary>
    public static (IkeHeader Header, List<Payload> Payloads) Open(IkeSa sa, byte[] datagram)
    {
        Assert.True(IkeMessage.TryDecode(datagram, out var message, out var error), error.ToString());
        var sk = Assert.IsType<EncryptedPayload>(Assert.Single(message!.Payloads));
        var inner = Protector(sa, !message.Header.IsFromInitiator).Unprotect(datagram, sk, out var failure);
        Assert.True(inner is not null, failure);
        Assert.True(PayloadChain.TryRead(inner, sk.InnerFirst, out var payloads, out var parseError, insideEncrypted: true),
            parseError.ToString());
        return (message.Header, payloads);
    }

    /// <summary>Decrypts a protected message, lets <paramref name="edit"/> change its inner payloads and seals it again with the same header.</summary>
    public static byte[] Rewrite(IkeSa sa, byte[] datagram, Func<List<Payload>, IReadOnlyList<Payload>> edit)
    {
        var (header, payloads) = Open(sa, datagram);
        return Protector(sa, header.IsFromInitiator).Protect(header, edit(payloads));
    }

    /// <summary>The single Notify of an unprotected response (IKE_SA_INIT errors).</summary>
    public static NotifyPayload ClearNotify(byte[] datagram)
    {
        Assert.True(IkeMessage.TryDecode(datagram, out var message, out var error), error.ToString());
        Assert.True(message!.Header.IsResponse);
        return Assert.IsType<NotifyPayload>(Assert.Single(message.Payloads));
    }

    /// <summary>An IKE_SA_INIT request of the test's making: SAi1, KEi, Ni (RFC 7296 §1.2), with a random SPIi.</summary>
    public static byte[] InitRequest(IReadOnlyList<Proposal> proposals, DhGroup keGroup, byte[] keData, ulong? spiI = null) =>
        new IkeMessage(
            new IkeHeader(spiI ?? NewSpi(), 0, PayloadType.NoNextPayload, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0, 0),
            [new SaPayload(proposals), new KePayload(keGroup, keData), new NoncePayload(RandomNumberGenerator.GetBytes(32))]).Encode();

    /// <summary>An IKE_SA_INIT request with a genuine public value for <paramref name="group"/>.</summary>
    public static byte[] InitRequest(string proposal, DhGroup group) =>
        InitRequest([Ike(proposal)], group, PublicValue(group));

    /// <summary>A configured-style IKE proposal, numbered <paramref name="number"/>.</summary>
    public static Proposal Ike(string text, byte number = 1) => ProposalParser.Parse(text, ProtocolId.Ike) with { Number = number };

    public static byte[] PublicValue(DhGroup group)
    {
        Assert.True(Crypto.TryCreateKeyExchange(group, out var ke));
        using (ke) return ke.PublicKey;
    }

    public static ulong NewSpi() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) | 1;
}
