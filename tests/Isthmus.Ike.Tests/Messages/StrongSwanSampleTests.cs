using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

/// <summary>
/// Initiator                         Responder
/// -------------------------------------------------------------------
/// HDR, SAi1, KEi, Ni,
///   N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), V  -->
/// </summary>
public class StrongSwanSampleTests
{
    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void StrongSwan_ike_sa_init_request_decodes()
    {
        var datagram = SampleMessages.StrongSwanIkeSaInitRequest();

        Assert.True(IkeMessage.TryDecode(datagram, out var message, out var error), error.ToString());
        Assert.Equal(260, datagram.Length);

        var header = message!.Header;
        Assert.Equal(SampleMessages.InitiatorSpi, header.InitiatorSpi);
        Assert.Equal(0ul, header.ResponderSpi);
        Assert.Equal(ExchangeType.IkeSaInit, header.Exchange);
        Assert.True(header.IsFromInitiator);
        Assert.False(header.IsResponse);
        Assert.Equal(0u, header.MessageId);
        Assert.Equal(
            [PayloadType.SecurityAssociation, PayloadType.KeyExchange, PayloadType.Nonce, PayloadType.Notify, PayloadType.Notify, PayloadType.VendorId],
            message.Payloads.Select(p => p.Type));

        var proposal = Assert.Single(message.Get<SaPayload>()!.Proposals);
        Assert.Equal(1, proposal.Number);
        Assert.Equal(ProtocolId.Ike, proposal.Protocol);
        Assert.Empty(proposal.Spi);
        Assert.Equal(
            [
                new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 256),
                new Transform(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128),
                new Transform(TransformType.Prf, (ushort)PrfAlgorithm.HmacSha2_256),
                new Transform(TransformType.KeyExchange, (ushort)DhGroup.Ecp256),
            ],
            proposal.Transforms);

        var ke = message.Get<KePayload>()!;
        Assert.Equal(DhGroup.Ecp256, ke.Group);
        Assert.Equal(64, ke.Data.Length);
        Assert.Equal(32, message.Get<NoncePayload>()!.Data.Length);
        Assert.Equal(20, message.GetNotify(NotifyType.NatDetectionSourceIp)!.Data.Length);
        Assert.Equal(20, message.GetNotify(NotifyType.NatDetectionDestinationIp)!.Data.Length);
        Assert.Equal(Convert.FromHexString(SampleMessages.StrongSwanVendorId), message.Get<VendorIdPayload>()!.Data);
    }

    [Fact]
    [Trait("RFC", "7296 3")]
    public void StrongSwan_ike_sa_init_request_re_encodes_to_the_same_octets()
    {
        var datagram = SampleMessages.StrongSwanIkeSaInitRequest();

        Assert.True(IkeMessage.TryDecode(datagram, out var message, out _));
        Assert.Equal(datagram, message!.Encode());
    }
}
