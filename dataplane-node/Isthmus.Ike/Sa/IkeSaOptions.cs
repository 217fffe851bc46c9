namespace Isthmus.Ike.Sa;

/// <summary>Protocol timers and limits. Defaults follow strongSwan's (retransmit 4 s × 1.8ⁿ, 5 tries).</summary>
public sealed record IkeSaOptions
{
    public TimeSpan RetransmitTimeout { get; init; } = TimeSpan.FromSeconds(4);
    public double RetransmitBase { get; init; } = 1.8;
    public int RetransmitTries { get; init; } = 5;

    /// <summary>A responder SA that has not completed IKE_AUTH within this time is dropped (RFC 7296 §2.6 half-open).</summary>
    public TimeSpan HalfOpenTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Half-open SAs above which the responder demands a COOKIE (RFC 7296 §2.6). 0 = always.</summary>
    public int CookieThreshold { get; init; } = 10;

    /// <summary>The IKE port and the NAT-T port (RFC 3948).</summary>
    public int IkePort { get; init; } = 500;
    public int NatTPort { get; init; } = 4500;
}
