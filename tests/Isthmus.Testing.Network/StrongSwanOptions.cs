namespace Isthmus.Testing.Network;

/// <summary>Options for <see cref="StrongSwan.StartAsync"/>.</summary>
public sealed record StrongSwanOptions
{
    /// <summary>Defaults: key-printing log levels, 20 s start timeout.</summary>
    public static StrongSwanOptions Default { get; } = new();

    /// <summary>
    /// File log levels by subsystem. The defaults print the derived IKE and Child SA keys (they need level 4 of
    /// <c>ike</c> and <c>chd</c>; level 3 does not print them) and proposal selection (<c>cfg = 2</c>).
    /// Note that <c>ike = 4</c> also dumps the PSK: use test secrets only.
    /// </summary>
    public IReadOnlyDictionary<string, int> LogLevels { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["default"] = 1,
        ["ike"] = 4,
        ["chd"] = 4,
        ["cfg"] = 2,
        ["knl"] = 1,
        ["net"] = 1,
        ["enc"] = 1,
    };

    /// <summary>Extra strongswan.conf settings placed inside <c>charon { }</c> (one per line), e.g. <c>retransmit_tries = 2</c>.</summary>
    public string? ExtraCharonSettings { get; init; }

    /// <summary>How long to wait for charon's vici socket to answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(20);
}
