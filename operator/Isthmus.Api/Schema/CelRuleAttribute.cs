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
/// implements) and <c>${bitIndices}</c> (the list literal <c>[0, 1, ..., 127]</c>). An unknown placeholder
/// fails generation.
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
