namespace Isthmus.Api.Schema;

/// <summary>
/// The field may be written as an integer or as a string (<c>x-kubernetes-int-or-string</c>), such as
/// <c>protocol: 6</c> or <c>protocol: tcp</c>. Validate its content with a <see cref="CelRuleAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class IntOrStringAttribute : Attribute;
