namespace Isthmus.Api.Schema;

/// <summary>
/// A Kubernetes CEL validation rule (<c>x-kubernetes-validations</c>) on a property or on every use of a
/// class. <c>self</c> is the value of the property (or the object, on a class). The API server evaluates
/// the rule at apply time and rejects the object with <see cref="Message"/> when it is false.
/// </summary>
/// <remarks>
/// The rule may contain placeholders <c>${name}</c> that Isthmus.CrdGen expands from sources of truth
/// outside this assembly, so that a list is written once: <c>${ikeProposalPattern}</c> and
/// <c>${espProposalPattern}</c> (regular expressions over the strongSwan proposal keywords Isthmus.Ike
/// implements) and <c>${protocolAnySpellings}</c> (the list of texts that mean IP protocol 0). An unknown
/// placeholder fails generation.
/// <para>
/// A rule must fit the API server's static CEL cost budget (its estimated cost times the number of times its
/// node can occur, at most 10,000,000; all rules of a CRD at most 100,000,000), or the CRD is refused at
/// install. Keep rules to presence tests, comparisons, enums, sizes and the IP/CIDR parsers over bounded
/// strings; checks that need more (orders of addresses, cross-field semantics) belong to the operator's
/// validating webhook. tests/Isthmus.Crd.Tests prices every rule of crds/ with the API server's estimator.
/// </para>
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule) : Attribute
{
    /// <summary>The CEL expression; true means valid.</summary>
    public string Rule { get; } = rule;

    /// <summary>The message shown when the rule is false. Name the field it is about.</summary>
    public string Message { get; set; } = "";

    /// <summary>
    /// Optional relative JSON path of the field the failure is reported on (Kubernetes <c>fieldPath</c>),
    /// e.g. <c>.addrEnd</c>. Empty: the field or object the rule sits on.
    /// </summary>
    public string? FieldPath { get; set; }
}
