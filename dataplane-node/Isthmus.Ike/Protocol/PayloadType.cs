namespace Isthmus.Ike.Protocol;

/// <summary>IKEv2 Payload Types (RFC 7296 §3.2, IANA "IKEv2 Payload Types").</summary>
public enum PayloadType : byte
{
    NoNextPayload = 0,
    SecurityAssociation = 33,
    KeyExchange = 34,
    IdentificationInitiator = 35,
    IdentificationResponder = 36,
    Certificate = 37,
    CertificateRequest = 38,
    Authentication = 39,
    Nonce = 40,
    Notify = 41,
    Delete = 42,
    VendorId = 43,
    TrafficSelectorInitiator = 44,
    TrafficSelectorResponder = 45,
    Encrypted = 46,
    Configuration = 47,
    ExtensibleAuthentication = 48,
    EncryptedFragment = 53,
}
