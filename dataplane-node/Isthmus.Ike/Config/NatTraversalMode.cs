namespace Isthmus.Ike.Config;

/// <summary>NAT traversal behaviour (RFC 7296 section 2.23, RFC 3948).</summary>
public enum NatTraversalMode
{
    /// <summary>Send NAT_DETECTION notifies; move to UDP 4500 and encapsulate ESP when a NAT is found.</summary>
    Auto,

    /// <summary>Send a NAT_DETECTION_SOURCE_IP that cannot match, so ESP is always UDP-encapsulated.</summary>
    Force,

    /// <summary>Send no NAT_DETECTION notifies; never encapsulate ESP.</summary>
    Disabled,
}
