using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Reads a <see cref="SourceMap"/> in either the object or the array-of-pairs form.</summary>
public sealed class SourceMapConverter : JsonConverter<SourceMap>
{
    /// <inheritdoc/>
    public override SourceMap Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var map = new SourceMap();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string from = reader.GetString()!;
                reader.Read();
                map.Entries.Add(new SourceMapEntry(from, ReadPath(ref reader)));
            }
            return map;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("sourceMap must be an object of path prefixes or an array of [from, to] pairs.");
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new JsonException("Each sourceMap entry must be a [from, to] pair of strings.");
            reader.Read();
            string from = ReadPath(ref reader);
            reader.Read();
            string to = ReadPath(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.EndArray)
                throw new JsonException("Each sourceMap entry must be a [from, to] pair of strings.");
            map.Entries.Add(new SourceMapEntry(from, to));
        }
        return map;
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, SourceMap value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var entry in value.Entries)
            writer.WriteString(entry.From, entry.To);
        writer.WriteEndObject();
    }

    private static string ReadPath(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String
            ? reader.GetString()!
            : throw new JsonException("sourceMap paths must be strings.");
}
