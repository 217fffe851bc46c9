namespace Isthmus.Api.Schema;

/// <summary>The smallest value a numeric field accepts (schema <c>minimum</c>, inclusive).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinimumAttribute(long value) : Attribute
{
    /// <summary>The inclusive minimum.</summary>
    public long Value { get; } = value;
}

/// <summary>The largest value a numeric field accepts (schema <c>maximum</c>, inclusive).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaximumAttribute(long value) : Attribute
{
    /// <summary>The inclusive maximum.</summary>
    public long Value { get; } = value;
}

/// <summary>The shortest string a field accepts (schema <c>minLength</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinLengthAttribute(int value) : Attribute
{
    /// <summary>The minimum length in characters.</summary>
    public int Value { get; } = value;
}

/// <summary>
/// The longest string a field accepts (schema <c>maxLength</c>). It also bounds the cost the API server
/// estimates for CEL rules over the field.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxLengthAttribute(int value) : Attribute
{
    /// <summary>The maximum length in characters.</summary>
    public int Value { get; } = value;
}

/// <summary>The fewest items a list accepts (schema <c>minItems</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MinItemsAttribute(int value) : Attribute
{
    /// <summary>The minimum number of items.</summary>
    public int Value { get; } = value;
}

/// <summary>
/// The most items a list accepts (schema <c>maxItems</c>). It also bounds the cost the API server
/// estimates for CEL rules over the list.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxItemsAttribute(int value) : Attribute
{
    /// <summary>The maximum number of items.</summary>
    public int Value { get; } = value;
}

/// <summary>
/// The most entries a map field accepts (schema <c>maxProperties</c>). It also bounds the cost the API server
/// estimates for CEL rules over the map and below it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MaxPropertiesAttribute(int value) : Attribute
{
    /// <summary>The maximum number of entries.</summary>
    public int Value { get; } = value;
}
