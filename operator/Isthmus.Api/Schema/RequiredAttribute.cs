namespace Isthmus.Api.Schema;

/// <summary>The field must be present (listed in the parent's schema <c>required</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;
