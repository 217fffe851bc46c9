using System.Buffers.Binary;
using System.Numerics;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;
using Isthmus.Ike.Sa;

namespace Isthmus.Ike.Tests.Sa;

/// <summary>
/// The responder's checks on KEi in IKE_SA_INIT (RFC 7296 §1.2, §3.4; RFC 6989):
/// <code>
/// HDR, SAi1, KEi, Ni  --&gt;
///                 &lt;--  HDR, N(INVALID_KE_PAYLOAD, group)   KEi's group differs from the selected one (§3.4)
///                 &lt;--  HDR, N(NO_PROPOSAL_CHOSEN)          no acceptable proposal (§2.7)
///                 &lt;--  HDR, N(INVALID_SYNTAX)              KEi's value is not a valid element of its group (RFC 6989)
/// </code>
/// None of these answers keeps state (§2.6): the SPIr in the header is zero and no SA remains.
/// </summary>
public class KeyExchangeValidationTests
{
    private const string Ike = "aes256gcm16-prfsha384-ecp384";

    private static (SaPair Pair, NotifyPayload Notify) Refused(byte[] request, string responderIke = Ike)
    {
        var pair = SaPair.Standard(Ike, responderIke: responderIke);
        var output = pair.SendToResponder(request);
        var response = Assert.Single(output.Datagrams).Data;
        Assert.True(IkeMessage.TryDecode(response, out var message, out _));
        Assert.Equal(0UL, message!.Header.ResponderSpi);
        Assert.Empty(pair.Responder.Sas);
        Assert.DoesNotContain(output.Events, e => e is IkeSaEstablished);
        return (pair, SkCodec.ClearNotify(response));
    }

    private static ushort Group(NotifyPayload n) => BinaryPrimitives.ReadUInt16BigEndian(n.Data);

    [Fact]
    [Trait("RFC", "7296 3.4")]
    public void KE_for_a_group_that_was_not_proposed_gets_INVALID_KE_PAYLOAD_naming_the_selected_group()
    {
        // SAi1 offers ECP-384 only, KEi carries a MODP-2048 value: the selected proposal's group
        // differs from KEi's, so the message is rejected with INVALID_KE_PAYLOAD (§3.4, §1.2).
        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Modp2048, SkCodec.PublicValue(DhGroup.Modp2048)));

        Assert.Equal(NotifyType.InvalidKePayload, notify.NotifyType);
        Assert.Equal((ushort)DhGroup.Ecp384, Group(notify));
    }

    [Fact]
    [Trait("RFC", "7296 3.4")]
    public void KE_for_a_private_use_group_that_was_not_proposed_gets_INVALID_KE_PAYLOAD()
    {
        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(Ike)], (DhGroup)40000, new byte[96]));

        Assert.Equal(NotifyType.InvalidKePayload, notify.NotifyType);
        Assert.Equal((ushort)DhGroup.Ecp384, Group(notify));
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void Private_use_group_in_the_proposal_and_KE_alone_gets_NO_PROPOSAL_CHOSEN()
    {
        var proposal = new Proposal(1, ProtocolId.Ike, [],
        [
            new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 256),
            new Transform(TransformType.Prf, (ushort)PrfAlgorithm.HmacSha2_384),
            new Transform(TransformType.KeyExchange, 40000),
        ]);
        var (_, notify) = Refused(SkCodec.InitRequest([proposal], (DhGroup)40000, new byte[96]));

        Assert.Equal(NotifyType.NoProposalChosen, notify.NotifyType);
    }

    [Fact]
    [Trait("RFC", "7296 3.3.6")]
    public void Private_use_group_offered_first_beside_a_known_one_gets_INVALID_KE_PAYLOAD_for_the_known_one()
    {
        // SAi1 = ENCR, PRF, KE(40000), KE(ECP-384); KEi(40000): the unknown group is skipped
        // (§3.3.6: other transforms of the same type are processed as usual), ECP-384 is selected.
        var proposal = new Proposal(1, ProtocolId.Ike, [],
        [
            new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 256),
            new Transform(TransformType.Prf, (ushort)PrfAlgorithm.HmacSha2_384),
            new Transform(TransformType.KeyExchange, 40000),
            new Transform(TransformType.KeyExchange, (ushort)DhGroup.Ecp384),
        ]);
        var (_, notify) = Refused(SkCodec.InitRequest([proposal], (DhGroup)40000, new byte[96]));

        Assert.Equal(NotifyType.InvalidKePayload, notify.NotifyType);
        Assert.Equal((ushort)DhGroup.Ecp384, Group(notify));
    }

    [Theory]
    [Trait("RFC", "7296 3.4")]
    [InlineData(DhGroup.Ecp384, 95)]
    [InlineData(DhGroup.Ecp384, 97)]
    [InlineData(DhGroup.Ecp384, 1)]
    [InlineData(DhGroup.Modp2048, 255)]
    [InlineData(DhGroup.Curve25519, 31)]
    [InlineData(DhGroup.Curve25519, 33)]
    public void KE_value_of_the_wrong_length_gets_INVALID_SYNTAX(DhGroup group, int length)
    {
        var proposal = $"aes256gcm16-prfsha384-{Keyword(group)}";
        var value = SkCodec.PublicValue(group);
        var wrong = new byte[length];
        value.AsSpan(0, Math.Min(length, value.Length)).CopyTo(wrong);

        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(proposal)], group, wrong), proposal);

        Assert.Equal(NotifyType.InvalidSyntax, notify.NotifyType);
    }

    public static TheoryData<string> DegenerateModpValues => ["0", "1", "p-1", "p", "2^2048-1"];

    [Theory]
    [Trait("RFC", "6989 2.1")]
    [MemberData(nameof(DegenerateModpValues))]
    public void MODP_value_outside_1_and_p_minus_1_gets_INVALID_SYNTAX(string which)
    {
        const string proposal = "aes256gcm16-prfsha384-modp2048";
        var p = Modp2048Prime();
        var y = which switch
        {
            "0" => BigInteger.Zero,
            "1" => BigInteger.One,
            "p-1" => p - 1,
            "p" => p,
            _ => (BigInteger.One << 2048) - 1, // all ones: above p
        };
        var value = new byte[256];
        y.TryWriteBytes(value.AsSpan(256 - y.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);

        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(proposal)], DhGroup.Modp2048, value), proposal);

        Assert.Equal(NotifyType.InvalidSyntax, notify.NotifyType);
    }

    [Fact]
    [Trait("RFC", "6989 2.3")]
    public void ECP_point_off_the_curve_gets_INVALID_SYNTAX()
    {
        var point = SkCodec.PublicValue(DhGroup.Ecp384);
        point[^1] ^= 1; // y no longer satisfies the curve equation for x

        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Ecp384, point));

        Assert.Equal(NotifyType.InvalidSyntax, notify.NotifyType);
    }

    [Fact]
    [Trait("RFC", "6989 2.3")]
    public void ECP_all_zero_point_gets_INVALID_SYNTAX()
    {
        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(Ike)], DhGroup.Ecp384, new byte[96]));

        Assert.Equal(NotifyType.InvalidSyntax, notify.NotifyType);
    }

    public static TheoryData<string> X25519LowOrderPoints =>
    [
        "0000000000000000000000000000000000000000000000000000000000000000", // 0
        "0100000000000000000000000000000000000000000000000000000000000000", // 1
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800", // order 8
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157", // order 8
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p-1
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", // p
    ];

    [Theory]
    [Trait("RFC", "8031 2")]
    [MemberData(nameof(X25519LowOrderPoints))]
    public void X25519_low_order_point_gets_INVALID_SYNTAX(string hex)
    {
        const string proposal = "aes256gcm16-prfsha384-curve25519";

        var (_, notify) = Refused(SkCodec.InitRequest([SkCodec.Ike(proposal)], DhGroup.Curve25519, Convert.FromHexString(hex)), proposal);

        Assert.Equal(NotifyType.InvalidSyntax, notify.NotifyType);
    }

    [Fact]
    [Trait("RFC", "7296 1.2")]
    public void Initiator_refuses_a_responder_KE_that_is_off_the_curve()
    {
        // HDR, SAr1, KEr(bad point), Nr  --&gt;  the initiator fails cleanly, nothing established.
        var pair = SaPair.Standard();
        pair.Start();
        pair.DeliverOne();
        pair.DeliverOne(response =>
        {
            Assert.True(IkeMessage.TryDecode(response, out var m, out _));
            var ke = m!.Get<KePayload>()!;
            var bad = (byte[])ke.Data.Clone();
            bad[^1] ^= 1;
            return (m with { Payloads = m.Payloads.Select(p => p is KePayload ? new KePayload(ke.Group, bad) : p).ToList() }).Encode();
        });

        Assert.Empty(pair.Initiator.Sas);
        Assert.Empty(pair.Wire);
        Assert.Contains(pair.InitiatorEvents, e => e is IkeSaClosed { Reason: IkeSaCloseReason.Failed, Notify: NotifyType.InvalidSyntax });
    }

    private static string Keyword(DhGroup group) => group switch
    {
        DhGroup.Ecp384 => "ecp384",
        DhGroup.Modp2048 => "modp2048",
        DhGroup.Curve25519 => "curve25519",
        _ => throw new ArgumentOutOfRangeException(nameof(group)),
    };

    /// <summary>The 2048-bit MODP prime of RFC 3526 §3.</summary>
    private static BigInteger Modp2048Prime() => BigInteger.Parse(
        "00FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF",
        System.Globalization.NumberStyles.HexNumber);
}
