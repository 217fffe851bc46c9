namespace Isthmus.Api.Schema;

/// <summary>
/// The value the API server fills in when the field is absent (schema <c>default</c>): a string, a
/// number or a boolean, in the JSON form the field takes. On an object field, a string is JSON text:
/// <c>[Default("{}")]</c> creates the object so that the defaults of its own fields apply.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DefaultAttribute(object value) : Attribute
{
    /// <summary>The default value.</summary>
    public object Value { get; } = value;
}
