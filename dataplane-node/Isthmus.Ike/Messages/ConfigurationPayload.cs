using System.Buffers.Binary;
using Isthmus.Ike.Protocol;

namespace Isthmus.Ike.Messages;

/// <summary>
/// Configuration payload CP (RFC 7296 §3.15).
/// <code>
///                      1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Next Payload  |C| RESERVED    |         Payload Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   CFG Type    |                    RESERVED                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                   Configuration Attributes                    ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// Configuration attribute (§3.15.1):
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |R|         Attribute Type      |            Length             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ~                             Value                             ~
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The R bit is reserved and ignored on receipt.
/// </summary>
public sealed partial class ConfigurationPayload(ConfigurationType configType, IReadOnlyList<ConfigurationAttribute> attributes) : Payload
{
    private const int FixedSize = 4;
    private const int AttributeHeaderSize = 4;
    private const ushort MaxAttributeType = 0x7FFF;

    public override PayloadType Type => PayloadType.Configuration;
    public ConfigurationType ConfigType { get; } = configType;
    public IReadOnlyList<ConfigurationAttribute> Attributes { get; } = attributes;

    public override int BodyLength
    {
        get
        {
            int length = FixedSize;
            foreach (var attribute in Attributes)
            {
                length += AttributeHeaderSize + attribute.Value.Length;
            }

            return length;
        }
    }

    public override void WriteBody(Span<byte> destination)
    {
        CheckRoom(destination, BodyLength);
        destination[0] = (byte)ConfigType;
        destination[1..FixedSize].Clear();
        int offset = FixedSize;
        foreach (var attribute in Attributes)
        {
            if (attribute.AttributeType > MaxAttributeType)
            {
                throw new InvalidOperationException($"configuration attribute type {attribute.AttributeType} does not fit in 15 bits");
            }

            if (attribute.Value.Length > ushort.MaxValue)
            {
                throw new InvalidOperationException($"configuration attribute value of {attribute.Value.Length} octets does not fit a 16-bit length");
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], attribute.AttributeType);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)attribute.Value.Length);
            attribute.Value.CopyTo(destination[(offset + AttributeHeaderSize)..]);
            offset += AttributeHeaderSize + attribute.Value.Length;
        }
    }

    internal static bool TryReadBody(ReadOnlySpan<byte> body, out ConfigurationPayload? payload, out ParseError error)
    {
        const PayloadType type = PayloadType.Configuration;
        if (body.Length < FixedSize)
        {
            return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"CP body of {body.Length} octets is shorter than its {FixedSize}-octet fixed part", type);
        }

        var attributes = new List<ConfigurationAttribute>();
        var rest = body[FixedSize..];
        while (!rest.IsEmpty)
        {
            if (rest.Length < AttributeHeaderSize)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"CP attribute header needs {AttributeHeaderSize} octets, {rest.Length} left", type);
            }

            ushort attributeType = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(rest) & MaxAttributeType);
            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[2..]);
            if (AttributeHeaderSize + length > rest.Length)
            {
                return Fail(out payload, out error, ParseErrorCode.InvalidLength, $"CP attribute {attributeType} value of {length} octets overruns the payload ({rest.Length - AttributeHeaderSize} left)", type);
            }

            attributes.Add(new ConfigurationAttribute(attributeType, rest.Slice(AttributeHeaderSize, length).ToArray()));
            rest = rest[(AttributeHeaderSize + length)..];
        }

        payload = new ConfigurationPayload((ConfigurationType)body[0], attributes);
        error = default;
        return true;
    }
}

/// <summary>Configuration attribute (RFC 7296 §3.15.1): 15-bit type and a value.</summary>
public sealed record ConfigurationAttribute(ushort AttributeType, byte[] Value);
