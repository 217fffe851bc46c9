using System.Globalization;
using System.Net;
using Isthmus.Ike.Messages;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Tests.Messages;

/// <summary>
/// Valid IKE messages used by the codec tests and as the seed corpus of the fuzz harness (which
/// links this file). No test framework types here.
/// </summary>
public static class SampleMessages
{
    public const ulong InitiatorSpi = 0x1a2b3c4d5e6f7081;
    public const ulong ResponderSpi = 0x90a1b2c3d4e5f607;

    /// <summary>strongSwan's Vendor ID: MD5("strongSwan").</summary>
    public const string StrongSwanVendorId = "882fe56d6fd20dbc2251613b2ebe5beb";

    /// <summary>
    /// An IKE_SA_INIT request laid out octet by octet as strongSwan sends it:
    /// HDR, SAi1(1 proposal: ENCR_AES_CBC-256, INTEG_HMAC_SHA2_256_128, PRF_HMAC_SHA2_256, ECP_256),
    /// KEi(ecp256, 64 octets), Ni(32), N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), V.
    /// </summary>
    public static byte[] StrongSwanIkeSaInitRequest() => Hex(
        // IKE header: SPIi, SPIr = 0, Next Payload SA (33), version 2.0, IKE_SA_INIT (34), flags I, Message ID 0, Length 260
        "1a2b3c4d5e6f7081 0000000000000000 21 20 22 08 00000000 00000104",
        // SA: next KE (34), length 48
        "22 00 0030",
        //   proposal: last, length 44, #1, IKE, SPI size 0, 4 transforms
        "00 00 002c 01 01 00 04",
        //     ENCR (1) AES_CBC (12), Key Length 256 (TV attribute 0x800e)
        "03 00 000c 01 00 000c 800e 0100",
        //     INTEG (3) HMAC_SHA2_256_128 (12)
        "03 00 0008 03 00 000c",
        //     PRF (2) HMAC_SHA2_256 (5)
        "03 00 0008 02 00 0005",
        //     D-H (4) ECP_256 (19), last transform
        "00 00 0008 04 00 0013",
        // KE: next Nonce (40), length 72, group 19, reserved, 64 octets of public value (x || y)
        "28 00 0048 0013 0000",
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        // Nonce: next Notify (41), length 36, 32 octets
        "29 00 0024",
        "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
        // N(NAT_DETECTION_SOURCE_IP = 16388): next Notify, length 28, protocol 0, SPI size 0, SHA-1 digest
        "29 00 001c 00 00 4004 c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3",
        // N(NAT_DETECTION_DESTINATION_IP = 16389): next Vendor ID (43), length 28
        "2b 00 001c 00 00 4005 e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3",
        // V: last payload, length 20, strongSwan's Vendor ID
        "00 00 0014 " + StrongSwanVendorId);

    /// <summary>IKE_SA_INIT response built from the model: SAr1, KEr, Nr, N(NAT_DETECTION_*), CERTREQ, V.</summary>
    public static IkeMessage IkeSaInitResponse() => new(
        Header(ExchangeType.IkeSaInit, IkeHeaderFlags.Response, messageId: 0),
        [
            new SaPayload([new Proposal(1, ProtocolId.Ike, [], [
                new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 256),
                new Transform(TransformType.Prf, (ushort)PrfAlgorithm.HmacSha2_256),
                new Transform(TransformType.KeyExchange, (ushort)DhGroup.Curve25519),
            ])]),
            new KePayload(DhGroup.Curve25519, Filled(32, 0x31)),
            new NoncePayload(Filled(32, 0x4e)),
            new NotifyPayload(NotifyType.NatDetectionSourceIp, Filled(20, 0x51)),
            new NotifyPayload(NotifyType.NatDetectionDestinationIp, Filled(20, 0x52)),
            new CertReqPayload(CertificateEncoding.X509Signature, Filled(20, 0xca)),
            new NotifyPayload(NotifyType.Ikev2FragmentationSupported),
            new VendorIdPayload(Convert.FromHexString(StrongSwanVendorId)),
        ]);

    /// <summary>
    /// The plaintext of an IKE_AUTH request: IDi, CERT, CERTREQ, AUTH, N(INITIAL_CONTACT), CP(CFG_REQUEST),
    /// SAi2 (ESP with a 4-octet SPI, two proposals), TSi, TSr.
    /// </summary>
    public static IReadOnlyList<Payload> IkeAuthRequestInner() =>
    [
        new IdPayload(true, IdType.Fqdn, "west.example.net"u8.ToArray()),
        new CertPayload(CertificateEncoding.X509Signature, Filled(48, 0x30)),
        new CertReqPayload(CertificateEncoding.X509Signature, []),
        new AuthPayload(AuthMethod.SharedKeyMessageIntegrityCode, Filled(32, 0xa7)),
        new NotifyPayload(NotifyType.InitialContact),
        new ConfigurationPayload(ConfigurationType.CfgRequest, [new ConfigurationAttribute(1, []), new ConfigurationAttribute(8, [])]),
        new SaPayload([
            new Proposal(1, ProtocolId.Esp, [0xc1, 0x00, 0x00, 0x01], [
                new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesGcm16, 128),
                new Transform(TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.NoEsn),
            ]),
            new Proposal(2, ProtocolId.Esp, [0xc1, 0x00, 0x00, 0x01], [
                new Transform(TransformType.Encryption, (ushort)EncryptionAlgorithm.AesCbc, 256),
                new Transform(TransformType.Integrity, (ushort)IntegrityAlgorithm.HmacSha2_256_128),
                new Transform(TransformType.ExtendedSequenceNumbers, (ushort)EsnMode.NoEsn),
            ]),
        ]),
        new TsPayload(true, [
            new TrafficSelector(TsType.Ipv4AddrRange, 0, 0, 65535, IPAddress.Parse("10.1.0.0"), IPAddress.Parse("10.1.255.255")),
            new TrafficSelector(TsType.Ipv6AddrRange, 6, 443, 443, IPAddress.Parse("fd00:1::"), IPAddress.Parse("fd00:1::ffff")),
        ]),
        new TsPayload(false, [
            new TrafficSelector(TsType.Ipv4AddrRange, 17, 500, 4500, IPAddress.Parse("10.2.0.0"), IPAddress.Parse("10.2.255.255")),
        ]),
    ];

    /// <summary>
    /// IKE_AUTH request HDR, SK {...} whose SK body is the plaintext chain itself (as if already
    /// decrypted), so that the fuzz harness also exercises the inner payloads.
    /// </summary>
    public static IkeMessage IkeAuthRequestWithPlainSkBody()
    {
        var inner = IkeAuthRequestInner();
        return new IkeMessage(
            Header(ExchangeType.IkeAuth, IkeHeaderFlags.Initiator, messageId: 1),
            [new EncryptedPayload(PayloadChain.FirstType(inner), PayloadChain.Encode(inner))]);
    }

    /// <summary>INFORMATIONAL request HDR, SK {D(ESP, two SPIs)}, with the plaintext as SK body.</summary>
    public static IkeMessage InformationalDeleteWithPlainSkBody()
    {
        Payload[] inner =
        [
            new DeletePayload(ProtocolId.Esp, [[0xc1, 0, 0, 1], [0xc1, 0, 0, 2]]),
            new DeletePayload(ProtocolId.Ike, []),
        ];
        return new IkeMessage(
            Header(ExchangeType.Informational, IkeHeaderFlags.Initiator, messageId: 2),
            [new EncryptedPayload(PayloadChain.FirstType(inner), PayloadChain.Encode(inner))]);
    }

    /// <summary>IKE_AUTH with EAP: HDR, SK {EAP(Request/Identity)} with the plaintext as SK body.</summary>
    public static IkeMessage IkeAuthEapWithPlainSkBody()
    {
        Payload[] inner = [new EapPayload([0x01, 0x07, 0x00, 0x05, 0x01])];
        return new IkeMessage(
            Header(ExchangeType.IkeAuth, IkeHeaderFlags.Response, messageId: 1),
            [new EncryptedPayload(PayloadChain.FirstType(inner), PayloadChain.Encode(inner))]);
    }

    /// <summary>Every sample as encoded bytes, with a file-friendly name.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> All() =>
    [
        ("ike_sa_init_request_strongswan", StrongSwanIkeSaInitRequest()),
        ("ike_sa_init_response", IkeSaInitResponse().Encode()),
        ("ike_auth_request_plain_sk", IkeAuthRequestWithPlainSkBody().Encode()),
        ("informational_delete_plain_sk", InformationalDeleteWithPlainSkBody().Encode()),
        ("ike_auth_eap_plain_sk", IkeAuthEapWithPlainSkBody().Encode()),
    ];

    public static IkeHeader Header(ExchangeType exchange, IkeHeaderFlags flags, uint messageId) =>
        new(InitiatorSpi, exchange == ExchangeType.IkeSaInit && (flags & IkeHeaderFlags.Response) == 0 ? 0 : ResponderSpi,
            PayloadType.NoNextPayload, exchange, flags, messageId, Length: 0);

    public static byte[] Filled(int length, byte value)
    {
        var bytes = new byte[length];
        bytes.AsSpan().Fill(value);
        return bytes;
    }

    /// <summary>
    /// Hex with spaces between fields; a token <c>AB*15</c> stands for 15 octets of 0xAB.
    /// </summary>
    public static byte[] Hex(params string[] parts)
    {
        var bytes = new List<byte>();
        foreach (string part in parts)
        {
            foreach (string token in part.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                int star = token.IndexOf('*');
                if (star > 0)
                {
                    byte value = Convert.FromHexString(token[..star])[0];
                    int count = int.Parse(token[(star + 1)..], CultureInfo.InvariantCulture);
                    bytes.AddRange(Enumerable.Repeat(value, count));
                }
                else
                {
                    bytes.AddRange(Convert.FromHexString(token));
                }
            }
        }

        return [.. bytes];
    }
}
