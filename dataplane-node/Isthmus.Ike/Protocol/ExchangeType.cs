namespace Isthmus.Ike.Protocol;

/// <summary>IKEv2 Exchange Types (RFC 7296 §3.1, IANA "IKEv2 Exchange Types").</summary>
public enum ExchangeType : byte
{
    IkeSaInit = 34,
    IkeAuth = 35,
    CreateChildSa = 36,
    Informational = 37,
}
