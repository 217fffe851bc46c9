namespace Isthmus.Esp;

/// <summary>An inclusive range of transport ports; <see cref="Any"/> is 0-65535.</summary>
public readonly record struct PortRange
{
    public PortRange(ushort start, ushort end)
    {
        if (start > end)
        {
            throw new ArgumentException($"Port range start {start} is above its end {end}.", nameof(start));
        }

        Start = start;
        End = end;
    }

    public ushort Start { get; }

    public ushort End { get; }

    public static PortRange Any { get; } = new(0, ushort.MaxValue);

    public static PortRange Single(ushort port) => new(port, port);

    public bool IsAny => Start == 0 && End == ushort.MaxValue;

    public bool Contains(ushort port) => port >= Start && port <= End;

    public override string ToString() => IsAny ? "any" : Start == End ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";
}
