namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// Parses a CEL expression (cel-spec grammar) by precedence climbing, and expands the standard macros as cel-go's
/// parser does: <c>has(a.b)</c> into a presence test, and <c>all</c>, <c>exists</c>, <c>exists_one</c>, <c>map</c>
/// and <c>filter</c> into comprehensions over an accumulator. The tree is what the cost estimator walks, so its
/// shape follows cel-go's (an integer or double literal directly after a minus is one negative literal).
/// </summary>
public sealed class CelParser
{
    private readonly string _source;
    private readonly List<CelToken> _tokens;
    private int _index;
    private long _nextId = 1;

    private CelParser(string source)
    {
        _source = source;
        _tokens = new CelLexer(source).Tokenize();
    }

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="CelSyntaxException">The text is not a CEL expression, or a macro is misused.</exception>
    public static CelExpr Parse(string source)
    {
        try
        {
            var parser = new CelParser(source);
            var expr = parser.ParseExpr();
            parser.Expect(CelTokenKind.End, "end of expression");
            return expr;
        }
        catch (ArgumentException e)
        {
            throw new CelSyntaxException(source, 0, "Syntax error: " + e.Message);
        }
    }

    private CelToken Current => _tokens[_index];

    private CelToken Take() => _tokens[_index++];

    private bool Accept(CelTokenKind kind)
    {
        if (Current.Kind != kind)
        {
            return false;
        }

        _index++;
        return true;
    }

    private CelToken Expect(CelTokenKind kind, string what)
    {
        if (Current.Kind != kind)
        {
            var found = Current.Kind == CelTokenKind.End ? "<EOF>" : $"'{Current.Text}'";
            throw new CelSyntaxException(_source, Current.Offset, $"Syntax error: mismatched input {found} expecting {what}");
        }

        return Take();
    }

    private long NextId() => _nextId++;

    private CelCall Call(string function, params CelExpr[] args) => new(NextId(), function, null, args);

    // Expr = ConditionalOr ["?" ConditionalOr ":" Expr]
    private CelExpr ParseExpr()
    {
        var condition = ParseOr();
        if (!Accept(CelTokenKind.Question))
        {
            return condition;
        }

        var whenTrue = ParseOr();
        Expect(CelTokenKind.Colon, "':'");
        var whenFalse = ParseExpr();
        return Call(CelOperators.Conditional, condition, whenTrue, whenFalse);
    }

    private CelExpr ParseOr()
    {
        var operands = new List<CelExpr> { ParseAnd() };
        while (Accept(CelTokenKind.OrOr))
        {
            operands.Add(ParseAnd());
        }

        return Balance(CelOperators.LogicalOr, operands, 0, operands.Count - 1);
    }

    private CelExpr ParseAnd()
    {
        var operands = new List<CelExpr> { ParseRelation() };
        while (Accept(CelTokenKind.AndAnd))
        {
            operands.Add(ParseRelation());
        }

        return Balance(CelOperators.LogicalAnd, operands, 0, operands.Count - 1);
    }

    /// <summary>cel-go builds chains of <c>&amp;&amp;</c> and <c>||</c> as balanced trees.</summary>
    private CelExpr Balance(string function, List<CelExpr> operands, int low, int high)
    {
        if (low == high)
        {
            return operands[low];
        }

        var mid = (low + high + 1) / 2;
        var left = Balance(function, operands, low, mid - 1);
        var right = Balance(function, operands, mid, high);
        return Call(function, left, right);
    }

    private CelExpr ParseRelation()
    {
        var left = ParseAddition();
        while (true)
        {
            var function = Current.Kind switch
            {
                CelTokenKind.Less => CelOperators.Less,
                CelTokenKind.LessEquals => CelOperators.LessEquals,
                CelTokenKind.Greater => CelOperators.Greater,
                CelTokenKind.GreaterEquals => CelOperators.GreaterEquals,
                CelTokenKind.EqualsEquals => CelOperators.Equal,
                CelTokenKind.NotEquals => CelOperators.NotEqual,
                CelTokenKind.In => CelOperators.In,
                _ => null,
            };
            if (function is null)
            {
                return left;
            }

            _index++;
            left = Call(function, left, ParseAddition());
        }
    }

    private CelExpr ParseAddition()
    {
        var left = ParseMultiplication();
        while (true)
        {
            var function = Current.Kind switch
            {
                CelTokenKind.Plus => CelOperators.Add,
                CelTokenKind.Minus => CelOperators.Subtract,
                _ => null,
            };
            if (function is null)
            {
                return left;
            }

            _index++;
            left = Call(function, left, ParseMultiplication());
        }
    }

    private CelExpr ParseMultiplication()
    {
        var left = ParseUnary();
        while (true)
        {
            var function = Current.Kind switch
            {
                CelTokenKind.Star => CelOperators.Multiply,
                CelTokenKind.Slash => CelOperators.Divide,
                CelTokenKind.Percent => CelOperators.Modulo,
                _ => null,
            };
            if (function is null)
            {
                return left;
            }

            _index++;
            left = Call(function, left, ParseUnary());
        }
    }

    private CelExpr ParseUnary()
    {
        if (Accept(CelTokenKind.Bang))
        {
            return Call(CelOperators.LogicalNot, ParseUnary());
        }

        if (Current.Kind == CelTokenKind.Minus)
        {
            Take();
            // A number right after the sign is one negative literal, as in cel-go's grammar.
            if (Current.Kind is CelTokenKind.Int or CelTokenKind.Double)
            {
                var literal = Take();
                CelExpr negative = literal.Kind == CelTokenKind.Int
                    ? new CelLiteral(NextId(), CelLiteralKind.Int, (ulong)literal.Value! == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)(ulong)literal.Value!)
                    : new CelLiteral(NextId(), CelLiteralKind.Double, -(double)literal.Value!);
                return ParseMemberSuffix(negative);
            }

            return Call(CelOperators.Negate, ParseUnary());
        }

        return ParseMember();
    }

    private CelExpr ParseMember() => ParseMemberSuffix(ParsePrimary());

    private CelExpr ParseMemberSuffix(CelExpr expr)
    {
        while (true)
        {
            if (Accept(CelTokenKind.Dot))
            {
                var name = Expect(CelTokenKind.Identifier, "a field or method name");
                if (Accept(CelTokenKind.LeftParen))
                {
                    var args = ParseArguments(CelTokenKind.RightParen);
                    expr = ExpandMemberMacro(expr, name, args) ?? new CelCall(NextId(), name.Text, expr, args);
                }
                else
                {
                    expr = new CelSelect(NextId(), expr, name.Text, TestOnly: false);
                }
            }
            else if (Accept(CelTokenKind.LeftBracket))
            {
                var index = ParseExpr();
                Expect(CelTokenKind.RightBracket, "']'");
                expr = Call(CelOperators.Index, expr, index);
            }
            else
            {
                return expr;
            }
        }
    }

    private List<CelExpr> ParseArguments(CelTokenKind close)
    {
        var args = new List<CelExpr>();
        if (Accept(close))
        {
            return args;
        }

        do
        {
            if (Current.Kind == close)
            {
                break;
            }

            args.Add(ParseExpr());
        }
        while (Accept(CelTokenKind.Comma));

        Expect(close, close == CelTokenKind.RightParen ? "')'" : "']'");
        return args;
    }

    private CelExpr ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case CelTokenKind.Int:
                var magnitude = (ulong)token.Value!;
                if (magnitude > long.MaxValue)
                {
                    throw new CelSyntaxException(_source, token.Offset, "invalid int literal");
                }

                return new CelLiteral(NextId(), CelLiteralKind.Int, (long)magnitude);
            case CelTokenKind.Uint:
                return new CelLiteral(NextId(), CelLiteralKind.Uint, token.Value);
            case CelTokenKind.Double:
                return new CelLiteral(NextId(), CelLiteralKind.Double, token.Value);
            case CelTokenKind.String:
                return new CelLiteral(NextId(), CelLiteralKind.String, token.Value);
            case CelTokenKind.Bytes:
                return new CelLiteral(NextId(), CelLiteralKind.Bytes, token.Value);
            case CelTokenKind.True or CelTokenKind.False:
                return new CelLiteral(NextId(), CelLiteralKind.Bool, token.Value);
            case CelTokenKind.Null:
                return new CelLiteral(NextId(), CelLiteralKind.Null, null);
            case CelTokenKind.LeftParen:
            {
                var inner = ParseExpr();
                Expect(CelTokenKind.RightParen, "')'");
                return inner;
            }

            case CelTokenKind.LeftBracket:
                return new CelCreateList(NextId(), ParseArguments(CelTokenKind.RightBracket));
            case CelTokenKind.LeftBrace:
                return ParseMap();
            case CelTokenKind.Dot:
            {
                var name = Expect(CelTokenKind.Identifier, "an identifier");
                return ParseIdentifierOrCall(name, "." + name.Text);
            }

            case CelTokenKind.Identifier:
                return ParseIdentifierOrCall(token, token.Text);
            default:
                var found = token.Kind == CelTokenKind.End ? "<EOF>" : $"'{token.Text}'";
                throw new CelSyntaxException(_source, token.Offset, $"Syntax error: mismatched input {found} expecting an expression");
        }
    }

    private CelExpr ParseIdentifierOrCall(CelToken name, string text)
    {
        if (!Accept(CelTokenKind.LeftParen))
        {
            if (Current.Kind == CelTokenKind.LeftBrace)
            {
                throw new CelSyntaxException(_source, Current.Offset, "Syntax error: message construction is not supported in Kubernetes rules");
            }

            return new CelIdent(NextId(), text);
        }

        var args = ParseArguments(CelTokenKind.RightParen);
        if (text == "has")
        {
            if (args is not [CelSelect { TestOnly: false } select])
            {
                throw new CelSyntaxException(_source, name.Offset, "invalid argument to has() macro");
            }

            return new CelSelect(NextId(), select.Operand, select.Field, TestOnly: true);
        }

        return new CelCall(NextId(), text, null, args);
    }

    private CelCreateMap ParseMap()
    {
        var entries = new List<CelMapEntry>();
        if (!Accept(CelTokenKind.RightBrace))
        {
            do
            {
                if (Current.Kind == CelTokenKind.RightBrace)
                {
                    break;
                }

                var key = ParseExpr();
                Expect(CelTokenKind.Colon, "':'");
                entries.Add(new CelMapEntry(key, ParseExpr()));
            }
            while (Accept(CelTokenKind.Comma));

            Expect(CelTokenKind.RightBrace, "'}'");
        }

        return new CelCreateMap(NextId(), entries);
    }

    /// <summary>The comprehension a member macro expands to, or null when the call is not a macro.</summary>
    private CelExpr? ExpandMemberMacro(CelExpr target, CelToken name, List<CelExpr> args)
    {
        var macro = (name.Text, args.Count) switch
        {
            ("all", 2) or ("exists", 2) or ("exists_one", 2) or ("map", 2) or ("map", 3) or ("filter", 2) => name.Text,
            _ => null,
        };
        if (macro is null)
        {
            return null;
        }

        if (args[0] is not CelIdent variable)
        {
            throw new CelSyntaxException(_source, name.Offset, "argument must be a simple name");
        }

        var iterVar = variable.Name;
        CelIdent Accu() => new(NextId(), CelOperators.AccumulatorName);
        CelExpr init;
        CelExpr condition;
        CelExpr step;
        CelExpr result;
        switch (macro)
        {
            case "all":
                init = new CelLiteral(NextId(), CelLiteralKind.Bool, true);
                condition = Call(CelOperators.NotStrictlyFalse, Accu());
                step = Call(CelOperators.LogicalAnd, Accu(), args[1]);
                result = Accu();
                break;
            case "exists":
                init = new CelLiteral(NextId(), CelLiteralKind.Bool, false);
                condition = Call(CelOperators.NotStrictlyFalse, Call(CelOperators.LogicalNot, Accu()));
                step = Call(CelOperators.LogicalOr, Accu(), args[1]);
                result = Accu();
                break;
            case "exists_one":
                init = new CelLiteral(NextId(), CelLiteralKind.Int, 0L);
                condition = new CelLiteral(NextId(), CelLiteralKind.Bool, true);
                step = Call(CelOperators.Conditional, args[1], Call(CelOperators.Add, Accu(), new CelLiteral(NextId(), CelLiteralKind.Int, 1L)), Accu());
                result = Call(CelOperators.Equal, Accu(), new CelLiteral(NextId(), CelLiteralKind.Int, 1L));
                break;
            case "map" when args.Count == 2:
                init = new CelCreateList(NextId(), []);
                condition = new CelLiteral(NextId(), CelLiteralKind.Bool, true);
                step = Call(CelOperators.Add, Accu(), new CelCreateList(NextId(), [args[1]]));
                result = Accu();
                break;
            case "map":
                init = new CelCreateList(NextId(), []);
                condition = new CelLiteral(NextId(), CelLiteralKind.Bool, true);
                step = Call(CelOperators.Conditional, args[1], Call(CelOperators.Add, Accu(), new CelCreateList(NextId(), [args[2]])), Accu());
                result = Accu();
                break;
            default: // filter
                init = new CelCreateList(NextId(), []);
                condition = new CelLiteral(NextId(), CelLiteralKind.Bool, true);
                step = Call(CelOperators.Conditional, args[1], Call(CelOperators.Add, Accu(), new CelCreateList(NextId(), [new CelIdent(NextId(), iterVar)])), Accu());
                result = Accu();
                break;
        }

        return new CelComprehension(NextId(), iterVar, target, CelOperators.AccumulatorName, init, condition, step, result);
    }
}
