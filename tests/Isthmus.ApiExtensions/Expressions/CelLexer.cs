using System.Globalization;
using System.Text;

namespace Isthmus.ApiExtensions.Expressions;

/// <summary>The token kinds of the CEL grammar (cel-spec, "Syntax").</summary>
internal enum CelTokenKind
{
    End,
    Identifier,
    Int,
    Uint,
    Double,
    String,
    Bytes,
    True,
    False,
    Null,
    In,
    LeftParen,
    RightParen,
    LeftBracket,
    RightBracket,
    LeftBrace,
    RightBrace,
    Dot,
    Comma,
    Colon,
    Question,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Less,
    LessEquals,
    Greater,
    GreaterEquals,
    EqualsEquals,
    NotEquals,
    AndAnd,
    OrOr,
}

/// <summary>One token: its kind, where it starts, its text and, for literals, its value.</summary>
internal readonly record struct CelToken(CelTokenKind Kind, int Offset, string Text, object? Value);

/// <summary>
/// Splits a CEL expression into tokens: identifiers and the reserved words, decimal and hexadecimal integers
/// (<c>u</c> suffix for unsigned), doubles, strings and bytes in every quoting the spec allows (single, double,
/// triple, raw) with their escapes, operators and punctuation. Whitespace and <c>//</c> comments are skipped.
/// </summary>
internal sealed class CelLexer
{
    private static readonly HashSet<string> Reserved =
    [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ];

    private readonly string _source;
    private int _position;

    public CelLexer(string source) => _source = source;

    public List<CelToken> Tokenize()
    {
        var tokens = new List<CelToken>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Kind == CelTokenKind.End)
            {
                return tokens;
            }
        }
    }

    private CelToken Next()
    {
        SkipTrivia();
        if (_position >= _source.Length)
        {
            return new CelToken(CelTokenKind.End, _position, "", null);
        }

        var start = _position;
        var c = _source[_position];
        if (c is '\'' or '"')
        {
            return ReadString(start, raw: false, bytes: false);
        }

        if (IsIdentifierStart(c))
        {
            // String prefixes: r, R, b, B and their pairs, immediately followed by a quote.
            var prefixLength = 0;
            while (prefixLength < 2 && _position + prefixLength < _source.Length && _source[_position + prefixLength] is 'r' or 'R' or 'b' or 'B')
            {
                prefixLength++;
            }

            for (var length = prefixLength; length > 0; length--)
            {
                if (_position + length < _source.Length && _source[_position + length] is '\'' or '"')
                {
                    var prefix = _source.Substring(_position, length).ToLowerInvariant();
                    if (prefix is "r" or "b" or "rb" or "br")
                    {
                        _position += length;
                        return ReadString(start, raw: prefix.Contains('r'), bytes: prefix.Contains('b'));
                    }
                }
            }

            while (_position < _source.Length && IsIdentifierPart(_source[_position]))
            {
                _position++;
            }

            var word = _source[start.._position];
            return word switch
            {
                "true" => new CelToken(CelTokenKind.True, start, word, true),
                "false" => new CelToken(CelTokenKind.False, start, word, false),
                "null" => new CelToken(CelTokenKind.Null, start, word, null),
                "in" => new CelToken(CelTokenKind.In, start, word, null),
                _ when Reserved.Contains(word) => throw new CelSyntaxException(_source, start, $"Syntax error: reserved identifier: {word}"),
                _ => new CelToken(CelTokenKind.Identifier, start, word, null),
            };
        }

        if (char.IsAsciiDigit(c) || (c == '.' && _position + 1 < _source.Length && char.IsAsciiDigit(_source[_position + 1])))
        {
            return ReadNumber(start);
        }

        _position++;
        string Two(char next) => _position < _source.Length && _source[_position] == next ? _source.Substring(start, 2) : "";
        switch (c)
        {
            case '(': return Token(CelTokenKind.LeftParen, start);
            case ')': return Token(CelTokenKind.RightParen, start);
            case '[': return Token(CelTokenKind.LeftBracket, start);
            case ']': return Token(CelTokenKind.RightBracket, start);
            case '{': return Token(CelTokenKind.LeftBrace, start);
            case '}': return Token(CelTokenKind.RightBrace, start);
            case '.': return Token(CelTokenKind.Dot, start);
            case ',': return Token(CelTokenKind.Comma, start);
            case ':': return Token(CelTokenKind.Colon, start);
            case '?': return Token(CelTokenKind.Question, start);
            case '+': return Token(CelTokenKind.Plus, start);
            case '-': return Token(CelTokenKind.Minus, start);
            case '*': return Token(CelTokenKind.Star, start);
            case '/': return Token(CelTokenKind.Slash, start);
            case '%': return Token(CelTokenKind.Percent, start);
            case '<':
                return Two('=').Length > 0 ? Advance(CelTokenKind.LessEquals, start) : Token(CelTokenKind.Less, start);
            case '>':
                return Two('=').Length > 0 ? Advance(CelTokenKind.GreaterEquals, start) : Token(CelTokenKind.Greater, start);
            case '=':
                return Two('=').Length > 0 ? Advance(CelTokenKind.EqualsEquals, start) : throw Unexpected(start);
            case '!':
                return Two('=').Length > 0 ? Advance(CelTokenKind.NotEquals, start) : Token(CelTokenKind.Bang, start);
            case '&':
                return Two('&').Length > 0 ? Advance(CelTokenKind.AndAnd, start) : throw Unexpected(start);
            case '|':
                return Two('|').Length > 0 ? Advance(CelTokenKind.OrOr, start) : throw Unexpected(start);
            default:
                throw Unexpected(start);
        }
    }

    private CelToken Token(CelTokenKind kind, int start) => new(kind, start, _source[start.._position], null);

    private CelToken Advance(CelTokenKind kind, int start)
    {
        _position++;
        return Token(kind, start);
    }

    private CelSyntaxException Unexpected(int at) =>
        new(_source, at, $"Syntax error: token recognition error at: '{_source[at]}'");

    private void SkipTrivia()
    {
        while (_position < _source.Length)
        {
            var c = _source[_position];
            if (c is ' ' or '\t' or '\n' or '\r' or '\f')
            {
                _position++;
            }
            else if (c == '/' && _position + 1 < _source.Length && _source[_position + 1] == '/')
            {
                while (_position < _source.Length && _source[_position] != '\n')
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private CelToken ReadNumber(int start)
    {
        if (_source[_position] == '0' && _position + 1 < _source.Length && _source[_position + 1] is 'x' or 'X')
        {
            _position += 2;
            var digitsStart = _position;
            while (_position < _source.Length && char.IsAsciiHexDigit(_source[_position]))
            {
                _position++;
            }

            var hex = _source[digitsStart.._position];
            if (_position < _source.Length && _source[_position] is 'u' or 'U')
            {
                _position++;
                return ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var u)
                    ? new CelToken(CelTokenKind.Uint, start, _source[start.._position], u)
                    : throw new CelSyntaxException(_source, start, "invalid uint literal");
            }

            return ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && h <= long.MaxValue
                ? new CelToken(CelTokenKind.Int, start, _source[start.._position], (long)h)
                : throw new CelSyntaxException(_source, start, "invalid int literal");
        }

        var isDouble = false;
        while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
        {
            _position++;
        }

        if (_position + 1 < _source.Length && _source[_position] == '.' && char.IsAsciiDigit(_source[_position + 1]))
        {
            isDouble = true;
            _position++;
            while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
            {
                _position++;
            }
        }

        if (_position < _source.Length && _source[_position] is 'e' or 'E')
        {
            var save = _position;
            _position++;
            if (_position < _source.Length && _source[_position] is '+' or '-')
            {
                _position++;
            }

            if (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
            {
                isDouble = true;
                while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
                {
                    _position++;
                }
            }
            else
            {
                _position = save;
            }
        }

        var text = _source[start.._position];
        if (isDouble)
        {
            return new CelToken(CelTokenKind.Double, start, text, double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (_position < _source.Length && _source[_position] is 'u' or 'U')
        {
            _position++;
            return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
                ? new CelToken(CelTokenKind.Uint, start, _source[start.._position], u)
                : throw new CelSyntaxException(_source, start, "invalid uint literal");
        }

        // The magnitude of an int literal may be 2^63 when it is negated (-9223372036854775808).
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var magnitude) && magnitude <= (ulong)long.MaxValue + 1
            ? new CelToken(CelTokenKind.Int, start, text, magnitude)
            : throw new CelSyntaxException(_source, start, "invalid int literal");
    }

    private CelToken ReadString(int start, bool raw, bool bytes)
    {
        var quote = _source[_position];
        var triple = _position + 2 < _source.Length && _source[_position + 1] == quote && _source[_position + 2] == quote;
        _position += triple ? 3 : 1;
        var text = new StringBuilder();
        var octets = new List<byte>();
        void AppendChar(string s)
        {
            text.Append(s);
            octets.AddRange(Encoding.UTF8.GetBytes(s));
        }

        while (true)
        {
            if (_position >= _source.Length)
            {
                throw new CelSyntaxException(_source, start, "Syntax error: unterminated string literal");
            }

            var c = _source[_position];
            if (triple ? _position + 2 < _source.Length && c == quote && _source[_position + 1] == quote && _source[_position + 2] == quote : c == quote)
            {
                _position += triple ? 3 : 1;
                break;
            }

            if (!triple && c is '\n' or '\r')
            {
                throw new CelSyntaxException(_source, start, "Syntax error: newline in a single-quoted string literal");
            }

            if (c != '\\' || raw)
            {
                AppendChar(char.IsSurrogate(c) && _position + 1 < _source.Length ? _source.Substring(_position++, 2) : c.ToString());
                _position++;
                continue;
            }

            _position++;
            if (_position >= _source.Length)
            {
                throw new CelSyntaxException(_source, start, "Syntax error: unterminated escape sequence");
            }

            var e = _source[_position++];
            switch (e)
            {
                case 'a': AppendChar("\a"); break;
                case 'b': AppendChar("\b"); break;
                case 'f': AppendChar("\f"); break;
                case 'n': AppendChar("\n"); break;
                case 'r': AppendChar("\r"); break;
                case 't': AppendChar("\t"); break;
                case 'v': AppendChar("\v"); break;
                case '\\' or '\'' or '"' or '`' or '?': AppendChar(e.ToString()); break;
                case 'x' or 'X':
                {
                    var value = ReadHex(2, start);
                    if (bytes)
                    {
                        octets.Add((byte)value);
                        text.Append((char)value);
                    }
                    else
                    {
                        AppendChar(char.ConvertFromUtf32(value));
                    }

                    break;
                }

                case 'u':
                    AppendChar(char.ConvertFromUtf32(ReadHex(4, start)));
                    break;
                case 'U':
                    AppendChar(char.ConvertFromUtf32(ReadHex(8, start)));
                    break;
                case >= '0' and <= '3':
                {
                    if (_position + 1 >= _source.Length || _source[_position] is < '0' or > '7' || _source[_position + 1] is < '0' or > '7')
                    {
                        throw new CelSyntaxException(_source, start, "Syntax error: invalid octal escape");
                    }

                    var value = ((e - '0') * 64) + ((_source[_position] - '0') * 8) + (_source[_position + 1] - '0');
                    _position += 2;
                    if (bytes)
                    {
                        octets.Add((byte)value);
                        text.Append((char)value);
                    }
                    else
                    {
                        AppendChar(char.ConvertFromUtf32(value));
                    }

                    break;
                }

                default:
                    throw new CelSyntaxException(_source, _position - 2, $"Syntax error: invalid escape sequence '\\{e}'");
            }
        }

        return bytes
            ? new CelToken(CelTokenKind.Bytes, start, _source[start.._position], octets.ToArray())
            : new CelToken(CelTokenKind.String, start, _source[start.._position], text.ToString());
    }

    private int ReadHex(int digits, int start)
    {
        if (_position + digits > _source.Length)
        {
            throw new CelSyntaxException(_source, start, "Syntax error: truncated escape sequence");
        }

        var hex = _source.Substring(_position, digits);
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new CelSyntaxException(_source, start, $"Syntax error: invalid hex escape '{hex}'");
        }

        _position += digits;
        return value;
    }
}
