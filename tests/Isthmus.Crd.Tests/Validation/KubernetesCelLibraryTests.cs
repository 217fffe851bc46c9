using Isthmus.ApiExtensions.Expressions;

namespace Isthmus.Crd.Tests.Validation;

/// <summary>The Kubernetes IP/CIDR CEL functions as the test evaluator implements them: as strict as the API server's.</summary>
public sealed class KubernetesCelLibraryTests
{
    [Theory]
    [InlineData("'10.0.0.1'", true)]
    [InlineData("'255.255.255.255'", true)]
    [InlineData("'10.0.0.256'", false)]
    [InlineData("'010.0.0.1'", false)]
    [InlineData("'10.1'", false)]
    [InlineData("'::1'", true)]
    [InlineData("'2001:db8::1'", true)]
    [InlineData("'fe80::1%eth0'", false)]
    [InlineData("'::ffff:10.0.0.1'", false)]
    [InlineData("''", false)]
    [InlineData("'example.com'", false)]
    public void IsIP_accepts_only_plain_addresses(string literal, bool expected)
    {
        var outcome = CelRuleEvaluator.Evaluate($"isIP({literal})", null);
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Valid);
    }

    [Theory]
    [InlineData("'10.0.0.0/8'", true)]
    [InlineData("'10.1.2.3/16'", true)]
    [InlineData("'10.0.0.0/33'", false)]
    [InlineData("'10.0.0.0/08'", false)]
    [InlineData("'10.0.0.0'", false)]
    [InlineData("'2001:db8::/32'", true)]
    [InlineData("'2001:db8::/129'", false)]
    public void IsCIDR_checks_address_and_prefix_length(string literal, bool expected)
    {
        var outcome = CelRuleEvaluator.Evaluate($"isCIDR({literal})", null);
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Valid);
    }

    [Theory]
    [InlineData("cidr('10.1.2.3/16').containsIP('10.1.255.255')", true)]
    [InlineData("cidr('10.1.2.3/16').containsIP('10.2.0.0')", false)]
    [InlineData("cidr('10.1.2.3/16').containsIP('2001:db8::1')", false)]
    [InlineData("cidr('10.1.2.3/24').containsIP(cidr('10.1.2.3/24').masked().ip())", true)]
    [InlineData("cidr('10.1.2.3/24').masked().prefixLength() == 24", true)]
    [InlineData("cidr('10.0.0.0/8').containsCIDR('10.1.0.0/16')", true)]
    [InlineData("cidr('10.1.0.0/16').containsCIDR('10.0.0.0/8')", false)]
    [InlineData("ip('2001:db8::1').family() == 6 && ip('10.0.0.1').family() == 4", true)]
    public void Cidr_functions_follow_the_kubernetes_library(string expression, bool expected)
    {
        var outcome = CelRuleEvaluator.Evaluate(expression, null);
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Valid);
    }

    [Fact]
    public void Invalid_address_is_an_evaluation_error_not_a_crash()
    {
        var outcome = CelRuleEvaluator.Evaluate("ip('10.0.0.300').family() == 4", null);
        Assert.False(outcome.Valid);
        Assert.Contains("parse error", outcome.Error);
    }

    [Theory]
    [InlineData("type(6) == int ? 6 != 0 : !(6 in ['any', '0'])", true)]
    [InlineData("type('ANY') == int ? 'ANY' != 0 : !('ANY' in ['any', 'ANY'])", false)]
    [InlineData("type('tcp') == int ? 'tcp' != 0 : !('tcp' in ['any', 'ANY'])", true)]
    [InlineData("type(0) == int ? 0 != 0 : false", false)]
    public void Int_or_string_values_branch_on_their_type(string expression, bool expected)
    {
        var outcome = CelRuleEvaluator.Evaluate(expression, null);
        Assert.Null(outcome.Error);
        Assert.Equal(expected, outcome.Valid);
    }
}
