using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Isthmus.Api;

/// <summary>
/// Durations as Kubernetes and Go write them (<c>time.ParseDuration</c>): a sequence of decimal numbers,
/// each with a unit, such as <c>4h</c>, <c>1h30m</c>, <c>45s</c>, <c>86400s</c> or <c>1.5h</c>. Units:
/// <c>ns</c>, <c>us</c> (or <c>µs</c>), <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>. A bare <c>0</c> is zero.
/// Negative durations are rejected: no Isthmus setting can use them.
/// </summary>
public static class Duration
{
    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why (and quotes the text).</summary>
    public static bool TryParse(string? text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty duration";
            return false;
        }
        var s = text.Trim();
        if (s == "0")
        {
            error = null;
            return true;
        }
        if (s[0] is '-' or '+')
        {
            error = $"invalid duration '{text}': a sign is not allowed";
            return false;
        }

        decimal totalTicks = 0;
        var i = 0;
        while (i < s.Length)
        {
            var numberStart = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }
            if (i == numberStart)
            {
                error = $"invalid duration '{text}': expected a number at position {i + 1}";
                return false;
            }
            if (!decimal.TryParse(s.AsSpan(numberStart, i - numberStart), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"invalid duration '{text}': '{s[numberStart..i]}' is not a number";
                return false;
            }
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }
            var unit = s[unitStart..i];
            decimal ticksPerUnit = unit switch
            {
                "ns" => 0.01m,
                "us" or "µs" or "μs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                "" => -1,
                _ => -2,
            };
            if (ticksPerUnit == -1)
            {
                error = $"invalid duration '{text}': missing unit (ns, us, ms, s, m, h)";
                return false;
            }
            if (ticksPerUnit == -2)
            {
                error = $"invalid duration '{text}': unknown unit '{unit}' (ns, us, ms, s, m, h)";
                return false;
            }
            try
            {
                totalTicks += number * ticksPerUnit;
            }
            catch (OverflowException)
            {
                error = $"invalid duration '{text}': out of range";
                return false;
            }
            if (totalTicks > TimeSpan.MaxValue.Ticks)
            {
                error = $"invalid duration '{text}': out of range";
                return false;
            }
        }
        value = TimeSpan.FromTicks((long)decimal.Truncate(totalTicks));
        error = null;
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/>.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>Formats a duration the way Go prints it, without zero parts: <c>4h</c>, <c>1h30m</c>, <c>45s</c>, <c>1.5s</c>, <c>0s</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        var sb = new StringBuilder();
        if (value < TimeSpan.Zero)
        {
            sb.Append('-');
            value = value.Duration();
        }
        var hours = (long)value.TotalHours;
        if (hours > 0)
        {
            sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('h');
        }
        if (value.Minutes > 0)
        {
            sb.Append(value.Minutes.ToString(CultureInfo.InvariantCulture)).Append('m');
        }
        var subMinuteTicks = value.Ticks % TimeSpan.TicksPerMinute;
        if (subMinuteTicks > 0)
        {
            var seconds = subMinuteTicks / (decimal)TimeSpan.TicksPerSecond;
            sb.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        }
        return sb.ToString();
    }
}
