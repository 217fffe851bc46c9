namespace Isthmus.Esp;

/// <summary>How the DF bit of an outer IPv4 header is set (RFC 4301 §8.1).</summary>
public enum DontFragmentMode : byte
{
    /// <summary>Copy DF from an inner IPv4 header; set it for an inner IPv6 packet.</summary>
    Copy = 0,

    /// <summary>Always set DF.</summary>
    Set = 1,

    /// <summary>Always clear DF (the outer packet may be fragmented on its way).</summary>
    Clear = 2,
}
