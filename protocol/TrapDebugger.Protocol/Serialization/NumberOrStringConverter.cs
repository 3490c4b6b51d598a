using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Reads a DAP <c>number | string</c> field (module ids) as its text; writes it as a string.</summary>
public sealed class NumberOrStringConverter : JsonConverter<string>
{
    /// <inheritdoc/>
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString()!,
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            _ => throw new JsonException("Expected a number or a string."),
        };

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
