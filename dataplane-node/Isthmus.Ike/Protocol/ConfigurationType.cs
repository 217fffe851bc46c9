namespace Isthmus.Ike.Protocol;

/// <summary>Configuration payload CFG Type (RFC 7296 §3.15).</summary>
public enum ConfigurationType : byte
{
    CfgRequest = 1,
    CfgReply = 2,
    CfgSet = 3,
    CfgAck = 4,
}
