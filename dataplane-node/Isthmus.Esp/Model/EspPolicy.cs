namespace Isthmus.Esp;

/// <summary>Direction of an SPD entry (XFRM's <c>dir out</c>/<c>dir in</c>).</summary>
public enum PolicyDirection : byte
{
    /// <summary>Clear packets leaving for the cipher side.</summary>
    Out = 1,

    /// <summary>Packets arriving from the cipher side (after decryption, or plain).</summary>
    In = 2,
}

/// <summary>What an SPD entry does with the packets it matches (RFC 4301 §4.4.1: PROTECT, BYPASS, DISCARD).</summary>
public enum PolicyAction : byte
{
    /// <summary>Out: encrypt with the outbound SA <see cref="EspPolicy.Spi"/>. In: only packets that arrived through ESP may match.</summary>
    Protect = 1,

    /// <summary>Pass in the clear.</summary>
    Bypass = 2,

    /// <summary>Drop (counted as <see cref="DropReason.PolicyDiscard"/>).</summary>
    Discard = 3,
}

/// <summary>
/// One SPD entry, XFRM's <c>ip xfrm policy</c>. Lookup takes the matching entry with the lowest
/// <see cref="Priority"/> value; ties go to the lower <see cref="Id"/>.
/// </summary>
public sealed record EspPolicy(
    uint Id,
    PolicyDirection Direction,
    EspPolicySelector Selector,
    PolicyAction Action,
    uint Spi,
    uint Priority)
{
    /// <summary>Checks the entry; returns null when valid, or a description of the problem.</summary>
    public string? Validate()
    {
        if (Id == 0)
        {
            return "Policy id 0 is reserved.";
        }

        if (!Enum.IsDefined(Direction))
        {
            return "Policy direction must be Out or In.";
        }

        if (!Enum.IsDefined(Action))
        {
            return "Policy action must be Protect, Bypass or Discard.";
        }

        if (Selector is null || Selector.Source is null || Selector.Destination is null)
        {
            return "Policy selector needs source and destination ranges.";
        }

        if (Selector.Source.IsIPv6 != Selector.Destination.IsIPv6)
        {
            return "Policy source and destination must be of one address family.";
        }

        if (Action == PolicyAction.Protect && Direction == PolicyDirection.Out && Spi < 256)
        {
            return "An outbound Protect policy needs the SPI of its SA (256 or above).";
        }

        return null;
    }

    public override string ToString() =>
        $"{Selector} dir {(Direction == PolicyDirection.Out ? "out" : "in")} priority {Priority} id {Id} " +
        (Action == PolicyAction.Protect ? $"protect spi 0x{Spi:x8}" : Action == PolicyAction.Bypass ? "bypass" : "discard");
}
