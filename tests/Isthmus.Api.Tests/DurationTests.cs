namespace Isthmus.Api.Tests;

public class DurationTests
{
    [Theory]
    [InlineData("4h", 4 * 3600.0)]
    [InlineData("30m", 1800.0)]
    [InlineData("86400s", 86400.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1h30m15s", 5415.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("500ms", 0.5)]
    [InlineData("0", 0.0)]
    [InlineData("0s", 0.0)]
    public void Go_style_durations_parse(string text, double seconds)
    {
        Assert.True(Duration.TryParse(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("4", "invalid duration '4': missing unit (ns, us, ms, s, m, h)")]
    [InlineData("4d", "invalid duration '4d': unknown unit 'd' (ns, us, ms, s, m, h)")]
    [InlineData("-5m", "invalid duration '-5m': a sign is not allowed")]
    [InlineData("h", "invalid duration 'h': expected a number at position 1")]
    [InlineData("1..5h", "invalid duration '1..5h': '1..5' is not a number")]
    [InlineData("", "empty duration")]
    [InlineData("99999999999999h", "invalid duration '99999999999999h': out of range")]
    public void Bad_durations_get_an_error(string text, string expected)
    {
        Assert.False(Duration.TryParse(text, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData(5400.0, "1h30m")]
    [InlineData(14400.0, "4h")]
    [InlineData(45.0, "45s")]
    [InlineData(0.0, "0s")]
    [InlineData(1.5, "1.5s")]
    public void Durations_format_like_go(double seconds, string expected)
    {
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
    }
}
