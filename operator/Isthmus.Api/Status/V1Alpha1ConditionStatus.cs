using System.Text.Json.Serialization;

namespace Isthmus.Api.V1Alpha1;

/// <summary>Status of a condition.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<V1Alpha1ConditionStatus>))]
public enum V1Alpha1ConditionStatus
{
    /// <summary>The condition holds.</summary>
    True,

    /// <summary>The condition does not hold.</summary>
    False,

    /// <summary>It is not known whether the condition holds.</summary>
    Unknown,
}
