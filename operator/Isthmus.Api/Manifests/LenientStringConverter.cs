using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Isthmus.Api.Manifests;

/// <summary>
/// Reads a string field from a JSON string or from a number (keeping the number's text as written, so
/// <c>protocol: 6</c> or an unquoted numeric value reads as "6"). Booleans and other tokens are rejected:
/// quoting them is the only way to say what was meant.
/// </summary>
internal sealed class LenientStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString()!,
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray()),
        JsonTokenType.True or JsonTokenType.False => throw new JsonException("expected a string but found a boolean; quote the value"),
        _ => throw new JsonException("expected a string"),
    };

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
