using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>Configuration payload CP (RFC 7296 §3.15).</summary>
public sealed partial class ConfigurationPayload(ConfigurationType configType, IReadOnlyList<ConfigurationAttribute> attributes) : Payload
{
    public override PayloadType Type => PayloadType.Configuration;
    public ConfigurationType ConfigType { get; } = configType;
    public IReadOnlyList<ConfigurationAttribute> Attributes { get; } = attributes;
}

/// <summary>Configuration attribute (RFC 7296 §3.15.1): 15-bit type and a value.</summary>
public sealed record ConfigurationAttribute(ushort AttributeType, byte[] Value);
