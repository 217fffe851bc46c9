using System.Buffers.Binary;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// Proposal selection against malformed or partial offers (RFC 7296 §2.7, §3.3.1, §3.3.6):
/// <code>
/// HDR, SAi1{P1 (bad), P2 (good)}, KEi, Ni  --&gt;
///                                      &lt;--  HDR, SAr1{P2}, KEr, Nr
/// HDR, SAi1{P1 (bad)}, KEi, Ni             --&gt;
///                                      &lt;--  HDR, N(NO_PROPOSAL_CHOSEN)
/// </code>
/// A bad proposal is never chosen, and neither its number nor its SPI comes back.
/// </summary>
public class ProposalNegotiationTests
{
    private const string Ike = "aes256gcm16-prfsha384-ecp384";

    private static RawTransform Encr(EncryptionAlgorithm alg, ushort? keyLength = null, params byte[] moreAttributes) =>
        new(TransformType.Encryption, (ushort)alg, [.. keyLength is { } k ? KeyLength(k) : [], .. moreAttributes]);

    private static readonly RawTransform PrfSha384 = new(TransformType.Prf, (ushort)PrfAlgorithm.HmacSha2_384, []);
    private static readonly RawTransform Ecp384 = new(TransformType.KeyExchange, (ushort)DhGroup.Ecp384, []);
    private static readonly RawTransform Sha256 = new(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128, []);
    private static RawTransform Gcm256 => Encr(EncryptionAlgorithm.AesGcm16, 256);
    private static RawProposal Good(byte number) => new(number, ProtocolId.Ike, [], [Gcm256, PrfSha384, Ecp384]);

    public static TheoryData<string> BadIkeProposals =>
    [
        "unknown protocol 9", "IKE SPI of 4 octets", "ESP proposal", "no PRF", "no KE", "no integrity with AES-CBC",
        "integrity with AES-GCM", "unknown transform type", "only encryption with an unknown attribute", "only unknown group",
    ];

    private static RawProposal Bad(string which, byte number) => which switch
    {
        "unknown protocol 9" => new(number, (ProtocolId)9, [], [Gcm256, PrfSha384, Ecp384]),
        "IKE SPI of 4 octets" => new(number, ProtocolId.Ike, [9, 9, 9, 9], [Gcm256, PrfSha384, Ecp384]),
        "ESP proposal" => new(number, ProtocolId.Esp, [9, 9, 9, 9], [Gcm256, PrfSha384, Ecp384]),
        "no PRF" => new(number, ProtocolId.Ike, [], [Gcm256, Ecp384]),
        "no KE" => new(number, ProtocolId.Ike, [], [Gcm256, PrfSha384]),
        "no integrity with AES-CBC" => new(number, ProtocolId.Ike, [], [Encr(EncryptionAlgorithm.AesCbc, 256), PrfSha384, Ecp384]),
        "integrity with AES-GCM" => new(number, ProtocolId.Ike, [], [Gcm256, PrfSha384, Sha256, Ecp384]),
        "unknown transform type" => new(number, ProtocolId.Ike, [], [Gcm256, PrfSha384, Ecp384, new((TransformType)200, 1, [])]),
        // §3.3.5: attribute type 17, TV format: not one we understand.
        "only encryption with an unknown attribute" => new(number, ProtocolId.Ike, [], [Encr(EncryptionAlgorithm.AesGcm16, 256, 0x80, 17, 0, 1), PrfSha384, Ecp384]),
        "only unknown group" => new(number, ProtocolId.Ike, [], [Gcm256, PrfSha384, new(TransformType.KeyExchange, 40000, [])]),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    [Theory]
    [Trait("RFC", "7296 3.3.6")]
    [MemberData(nameof(BadIkeProposals))]
    public void Bad_IKE_proposal_alone_gets_NO_PROPOSAL_CHOSEN(string which)
    {
        var pair = SaPair.Standard();

        var output = pair.SendToResponder(InitRequest(Bad(which, 1)));

        Assert.Equal(NotifyType.NoProposalChosen, SkCodec.ClearNotify(Assert.Single(output.Datagrams).Data).NotifyType);
        Assert.Empty(pair.Responder.Sas);
    }

    [Theory]
    [Trait("RFC", "7296 3.3.6")]
    [MemberData(nameof(BadIkeProposals))]
    public void Bad_IKE_proposal_beside_a_good_one_is_skipped_and_the_good_one_chosen(string which)
    {
        var pair = SaPair.Standard();

        var output = pair.SendToResponder(InitRequest(Bad(which, 1), Good(2)));

        var chosen = ChosenProposal(Assert.Single(output.Datagrams).Data);
        Assert.Equal(2, chosen.Number);
        Assert.Equal(ProtocolId.Ike, chosen.Protocol);
        Assert.Empty(chosen.Spi);
        Assert.Equal([TransformType.Encryption, TransformType.Prf, TransformType.KeyExchange], chosen.Transforms.Select(t => t.Type));
        Assert.Equal(IkeSaState.Connecting, Assert.Single(pair.Responder.Sas).State);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void Transform_with_an_unrecognised_attribute_is_skipped_and_another_of_its_type_chosen()
    {
        // P1 = ENCR(AES-GCM-16, 256, attr 17), ENCR(AES-GCM-16, 128), PRF, KE: only the second
        // encryption transform is acceptable (§3.3.6: "other transforms with the same Transform Type
        // are processed as usual").
        var pair = SaPair.Standard(responderIke: "aes256gcm16-aes128gcm16-prfsha384-ecp384");
        var proposal = new RawProposal(1, ProtocolId.Ike, [],
            [Encr(EncryptionAlgorithm.AesGcm16, 256, 0x80, 17, 0, 1), Encr(EncryptionAlgorithm.AesGcm16, 128), PrfSha384, Ecp384]);

        var output = pair.SendToResponder(InitRequest(proposal));

        var encr = ChosenProposal(Assert.Single(output.Datagrams).Data).Transforms.Single(t => t.Type == TransformType.Encryption);
        Assert.Equal((ushort)128, encr.KeyLength);
        Assert.False(encr.HasUnrecognizedAttributes);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void Unsupported_transform_of_a_type_is_skipped_in_favour_of_a_supported_one()
    {
        // ENCR(AES-CCM-16) is not an IKE cipher here; ENCR(AES-GCM-16) beside it is chosen.
        var pair = SaPair.Standard();
        var proposal = new RawProposal(1, ProtocolId.Ike, [], [Encr(EncryptionAlgorithm.AesCcm16, 256), Gcm256, PrfSha384, Ecp384]);

        var output = pair.SendToResponder(InitRequest(proposal));

        var encr = ChosenProposal(Assert.Single(output.Datagrams).Data).Transforms.Single(t => t.Type == TransformType.Encryption);
        Assert.Equal((ushort)EncryptionAlgorithm.AesGcm16, encr.Id);
    }

    public static TheoryData<string> BadEspProposals => ["unknown protocol 9", "ESP SPI of 8 octets", "AH proposal", "no integrity with AES-CBC"];

    private static Proposal BadEsp(string which, byte number) => which switch
    {
        "unknown protocol 9" => new(number, (ProtocolId)9, [1, 2, 3, 4], EspGcm128),
        "ESP SPI of 8 octets" => new(number, ProtocolId.Esp, [1, 2, 3, 4, 5, 6, 7, 8], EspGcm128),
        "AH proposal" => new(number, ProtocolId.Ah, [1, 2, 3, 4],
            [new(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128), new(TransformType.ExtendedSequenceNumbers, 0)]),
        "no integrity with AES-CBC" => new(number, ProtocolId.Esp, [1, 2, 3, 4],
            [new(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 128), new(TransformType.ExtendedSequenceNumbers, 0)]),
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    private static readonly Transform[] EspGcm128 =
        [new(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 128), new(TransformType.ExtendedSequenceNumbers, 0)];

    [Theory]
    [Trait("RFC", "7296 3.3.1")]
    [MemberData(nameof(BadEspProposals))]
    public void Bad_ESP_proposal_in_IKE_AUTH_is_skipped_and_neither_its_number_nor_its_SPI_echoed(string which)
    {
        // HDR, SK {IDi, AUTH, SAi2{P1 (bad), P2 (good)}, TSi, TSr}  --&gt;
        //                                   &lt;--  HDR, SK {IDr, AUTH, SAr2{P2, SPIr}, TSi, TSr}
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var initiator = pair.InitiatorSa!;
        byte[] goodSpi = [];
        pair.DeliverOne(request => SkCodec.Rewrite(initiator, request, payloads =>
        {
            var sa = payloads.OfType<SaPayload>().Single();
            goodSpi = sa.Proposals[0].Spi;
            var bad = BadEsp(which, 1);
            return payloads.Select(p => p is SaPayload ? new SaPayload([bad, sa.Proposals[0] with { Number = 2 }]) : p).ToList();
        }));
        var response = pair.DeliverOne();

        var sar2 = SkCodec.Open(initiator, response.Data).Payloads.OfType<SaPayload>().Single();
        var chosen = Assert.Single(sar2.Proposals);
        Assert.Equal(2, chosen.Number);
        Assert.Equal(ProtocolId.Esp, chosen.Protocol);
        Assert.Equal(4, chosen.Spi.Length);
        Assert.Equal(pair.ResponderSa!.ChildSas.Single().SpiIn, BinaryPrimitives.ReadUInt32BigEndian(chosen.Spi));
        Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(goodSpi), pair.ResponderSa.ChildSas.Single().SpiOut);
    }

    [Theory]
    [Trait("RFC", "7296 1.2")]
    [MemberData(nameof(BadEspProposals))]
    public void Bad_ESP_proposal_alone_fails_the_Child_SA_with_NO_PROPOSAL_CHOSEN_but_keeps_the_IKE_SA(string which)
    {
        var pair = SaPair.Standard();
        pair.CompleteIkeSaInit();
        var initiator = pair.InitiatorSa!;
        pair.DeliverOne(request => SkCodec.Rewrite(initiator, request,
            payloads => payloads.Select(p => p is SaPayload ? new SaPayload([BadEsp(which, 1)]) : p).ToList()));
        var response = pair.DeliverOne();

        var inner = SkCodec.Open(initiator, response.Data).Payloads;
        Assert.Contains(inner, p => p is NotifyPayload { NotifyType: NotifyType.NoProposalChosen });
        Assert.DoesNotContain(inner, p => p is SaPayload);
        Assert.Equal(IkeSaState.Established, pair.ResponderSa!.State);
        Assert.Equal(IkeSaState.Established, initiator.State);
        Assert.Empty(pair.ResponderSa.ChildSas);
        Assert.Empty(initiator.ChildSas);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.1")]
    public void Initiator_accepts_the_responder_choosing_its_second_IKE_and_ESP_proposals()
    {
        // SAi1{P1, P2} --&gt;  &lt;-- SAr1{P2}: an accepted proposal keeps its number, here 2.
        var pair = new SaPair(
            SaPair.Config("hq", "hq.example.com", "branch.example.com", "aes128gcm16-prfsha256-ecp384,aes256gcm16-prfsha384-ecp384",
                "aes256gcm16,aes128gcm16", peer: SaPair.ResponderEndpoint.Address),
            SaPair.Config("branch", "branch.example.com", "hq.example.com", "aes256gcm16-prfsha384-ecp384", "aes128gcm16",
                localTs: "10.2.0.0/16", remoteTs: "10.1.0.0/16", peer: SaPair.InitiatorEndpoint.Address));
        pair.Start();
        pair.Run();

        Assert.Equal(IkeSaState.Established, pair.InitiatorSa!.State);
        Assert.Equal(2, pair.InitiatorSa.IkeProposal!.Number);
        Assert.Equal(2, Assert.Single(pair.InitiatorSa.ChildSas).Proposal.Number);
    }

    private static byte[] InitRequest(params RawProposal[] proposals) =>
        new IkeMessage(
            new IkeHeader(SkCodec.NewSpi(), 0, PayloadType.NoNextPayload, ExchangeType.IkeSaInit, IkeHeaderFlags.Initiator, 0, 0),
            [
                new UnknownPayload(PayloadType.SecurityAssociation, RawProposal.Encode(proposals)),
                new KePayload(DhGroup.Ecp384, SkCodec.PublicValue(DhGroup.Ecp384)),
                new NoncePayload(new byte[32]),
            ]).Encode();

    private static Proposal ChosenProposal(byte[] response)
    {
        Assert.True(IkeMessage.TryDecode(response, out var m, out var error), error.ToString());
        Assert.Null(m!.GetAll<NotifyPayload>().FirstOrDefault(n => n.NotifyType.IsError()));
        return Assert.Single(m.Get<SaPayload>()!.Proposals);
    }

    private static byte[] KeyLength(ushort bits) => [0x80, 14, (byte)(bits >> 8), (byte)bits];

    /// <summary>A transform with raw attribute bytes (RFC 7296 §3.3.5), which <see cref="SaPayload"/> would not write.</summary>
    private sealed record RawTransform(TransformType Type, ushort Id, byte[] Attributes);

    /// <summary>A proposal written byte by byte (RFC 7296 §3.3.1), so that any field can be wrong.</summary>
    private sealed record RawProposal(byte Number, ProtocolId Protocol, byte[] Spi, RawTransform[] Transforms)
    {
        public static byte[] Encode(RawProposal[] proposals)
        {
            var body = new List<byte>();
            for (var i = 0; i < proposals.Length; i++)
            {
                var p = proposals[i];
                var transforms = new List<byte>();
                for (var j = 0; j < p.Transforms.Length; j++)
                {
                    var t = p.Transforms[j];
                    var length = 8 + t.Attributes.Length;
                    transforms.AddRange([(byte)(j == p.Transforms.Length - 1 ? 0 : 3), 0, (byte)(length >> 8), (byte)length,
                        (byte)t.Type, 0, (byte)(t.Id >> 8), (byte)t.Id]);
                    transforms.AddRange(t.Attributes);
                }
                var proposalLength = 8 + p.Spi.Length + transforms.Count;
                body.AddRange([(byte)(i == proposals.Length - 1 ? 0 : 2), 0, (byte)(proposalLength >> 8), (byte)proposalLength,
                    p.Number, (byte)p.Protocol, (byte)p.Spi.Length, (byte)p.Transforms.Length]);
                body.AddRange(p.Spi);
                body.AddRange(transforms);
            }
            return [.. body];
        }
    }
}
