namespace Isthmus.Ike.Protocol;

/// <summary>Transform Types (RFC 7296 §3.3.2).</summary>
public enum TransformType : byte
{
    Encryption = 1,
    Prf = 2,
    Integrity = 3,
    KeyExchange = 4,
    ExtendedSequenceNumbers = 5,
}

/// <summary>Transform Attribute Types (RFC 7296 §3.3.5).</summary>
public enum TransformAttributeType : ushort
{
    KeyLength = 14,
}
