namespace Isthmus.Ike.Protocol;

/// <summary>Transform Type 5 - Extended Sequence Numbers Transform IDs (RFC 7296 §3.3.2).</summary>
public enum EsnMode : ushort
{
    NoEsn = 0,
    Esn = 1,
}
