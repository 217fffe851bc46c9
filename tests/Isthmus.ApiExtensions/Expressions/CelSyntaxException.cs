namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// A CEL expression that does not parse or type-check, with the position of the problem. The message reads as
/// cel-go's issue text: <c>ERROR: &lt;input&gt;:1:6: undeclared reference to 'slef'</c>.
/// </summary>
public sealed class CelSyntaxException : Exception
{
    /// <summary>Creates the error for a position in <paramref name="source"/>.</summary>
    public CelSyntaxException(string source, int offset, string detail)
        : base(Format(source, offset, detail))
    {
        Detail = detail;
        Offset = offset;
    }

    /// <summary>What is wrong, without the position.</summary>
    public string Detail { get; }

    /// <summary>The character offset in the expression.</summary>
    public int Offset { get; }

    private static string Format(string source, int offset, string detail)
    {
        var line = 1;
        var column = 0;
        for (var i = 0; i < Math.Min(offset, source.Length); i++)
        {
            if (source[i] == '\n')
            {
                line++;
                column = 0;
            }
            else
            {
                column++;
            }
        }

        return $"ERROR: <input>:{line}:{column + 1}: {detail}";
    }
}
