using System.Text.Json.Nodes;
using Isthmus.ApiExtensions.Expressions;

namespace Isthmus.Crd.Tests.ApiExtensions;

/// <summary>
/// The CEL front end the estimator walks: the parser expands macros as cel-go does, and the checker types every node
/// against the schema and refuses what the API server's compiler refuses.
/// </summary>
public sealed class CelCheckerTests
{
    private static readonly DeclType Entry = DeclType.FromSchema(new JsonObject
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["cidr"] = new JsonObject { ["type"] = "string", ["maxLength"] = 49 },
            ["ports"] = new JsonObject { ["type"] = "array", ["maxItems"] = 4, ["items"] = new JsonObject { ["type"] = "integer" } },
            ["protocol"] = new JsonObject { ["x-kubernetes-int-or-string"] = true },
            ["labels"] = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
        },
    }, isResourceRoot: false)!;

    [Fact]
    public void Exists_expands_to_a_comprehension_over_the_list_with_an_accumulator()
    {
        var expr = Assert.IsType<CelComprehension>(CelParser.Parse("self.ports.exists(p, p > 1024)"));

        Assert.Equal("p", expr.IterVar);
        Assert.Equal(CelOperators.AccumulatorName, expr.AccuVar);
        Assert.Equal(new CelLiteral(expr.AccuInit.Id, CelLiteralKind.Bool, false), expr.AccuInit);
        Assert.Equal(CelOperators.LogicalOr, Assert.IsType<CelCall>(expr.LoopStep).Function);
        Assert.IsType<CelSelect>(expr.IterRange);
    }

    [Fact]
    public void Has_is_a_presence_test_and_a_minus_before_a_number_is_a_negative_literal()
    {
        Assert.True(Assert.IsType<CelSelect>(CelParser.Parse("has(self.cidr)")).TestOnly);
        Assert.Equal(-5L, Assert.IsType<CelLiteral>(CelParser.Parse("-5")).Value);
        Assert.Equal("a\n'b", Assert.IsType<CelLiteral>(CelParser.Parse(@"'a\n\'b'")).Value);
        Assert.Equal(@"\d", Assert.IsType<CelLiteral>(CelParser.Parse(@"r'\d'")).Value);
    }

    [Theory]
    [InlineData("self.cidr", CelTypeKind.String)]
    [InlineData("self.ports[0] + 1", CelTypeKind.Int)]
    [InlineData("self.labels['app']", CelTypeKind.String)]
    [InlineData("self.protocol", CelTypeKind.Dyn)]
    [InlineData("cidr(self.cidr).ip()", CelTypeKind.Opaque)]
    [InlineData("self.ports.all(p, p < 65536)", CelTypeKind.Bool)]
    [InlineData("self.protocol in ['tcp', 'udp']", CelTypeKind.Bool)]
    public void Checker_infers_types_from_the_schema(string expression, CelTypeKind kind)
    {
        Assert.Equal(kind, CelChecker.CheckRule(expression, Entry).ResultType.Kind);
    }

    [Theory]
    [InlineData("self.nope == 1", "undefined field 'nope'")]
    [InlineData("slef.cidr == ''", "undeclared reference to 'slef'")]
    [InlineData("self.cidr == 1", "found no matching overload for '_==_' applied to '(string, int)'")]
    [InlineData("['a', 1].size() == 2", "expected type 'string' but found 'int'")]
    [InlineData("self.cidr.all(c, c == 'a')", "cannot be range of a comprehension")]
    [InlineData("self.cidr ==", "Syntax error")]
    public void Checker_refuses_what_the_api_servers_compiler_refuses(string expression, string error)
    {
        var e = Assert.Throws<CelSyntaxException>(() => CelChecker.CheckRule(expression, Entry));
        Assert.Contains(error, e.Message);
    }

    [Fact]
    public void A_call_with_a_dyn_argument_may_resolve_to_every_overload()
    {
        var checkedRule = CelChecker.CheckRule("string(self.protocol) == 'tcp'", Entry);
        var call = (CelCall)((CelCall)checkedRule.Expr).Args[0];

        Assert.Contains("bytes_to_string", checkedRule.Overloads[call.Id]);
        Assert.Contains("int64_to_string", checkedRule.Overloads[call.Id]);
    }
}
