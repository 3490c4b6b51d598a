using System.Text.Json;
using TrapDebugger.Protocol.Messages;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Turns a frame's payload into a <see cref="DecodedMessage"/>, checking the envelope field by field so each fault gets its own sentence.</summary>
public static class MessageDecoder
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Decodes <paramref name="payload"/>; never throws for bad input.</summary>
    public static DecodedMessage Decode(ReadOnlyMemory<byte> payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return new DecodedMessage { Error = $"The message is not valid JSON ({FirstSentence(ex.Message)})." };
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return new DecodedMessage { Error = "The message must be a JSON object." };

            // A property given twice is ambiguous (which "command" did the client mean?): the message is answered with an
            // error and never run, rather than run as whichever copy a parser happens to keep.
            if (FindDuplicate(root, "") is { } duplicate)
            {
                bool seqTwice = duplicate == "seq", commandTwice = duplicate == "command";
                int? readable = !seqTwice && root.TryGetProperty("seq", out var s1) && s1.ValueKind == JsonValueKind.Number && s1.TryGetInt32(out int v1) ? v1 : null;
                string? name = !commandTwice && root.TryGetProperty("command", out var c1) && c1.ValueKind == JsonValueKind.String ? c1.GetString() : null;
                return new DecodedMessage
                {
                    Error = $"The message has the property '{ClientText.Short(duplicate)}' more than once; it was not run.",
                    Seq = readable,
                    Command = name is null ? null : ClientText.Short(name),
                };
            }

            int? seq = root.TryGetProperty("seq", out var seqElement) && seqElement.ValueKind == JsonValueKind.Number && seqElement.TryGetInt32(out int s)
                ? s
                : null;
            string? command = root.TryGetProperty("command", out var commandElement) && commandElement.ValueKind == JsonValueKind.String
                ? commandElement.GetString()
                : null;

            if (!root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
                return new DecodedMessage { Error = "The message has no string 'type' property.", Seq = seq, Command = command };
            if (seq is null)
                return new DecodedMessage { Error = "The message has no integer 'seq' property.", Command = command };

            switch (typeElement.GetString())
            {
                case MessageTypes.Request:
                    if (command is null)
                        return new DecodedMessage { Error = "The request has no string 'command' property.", Seq = seq };
                    JsonElement? arguments = null;
                    if (root.TryGetProperty("arguments", out var argumentsElement) && argumentsElement.ValueKind != JsonValueKind.Null)
                    {
                        if (argumentsElement.ValueKind != JsonValueKind.Object)
                            return new DecodedMessage { Error = $"The arguments of '{ClientText.Short(command)}' must be a JSON object.", Seq = seq, Command = command };
                        arguments = argumentsElement.Clone();
                    }
                    return new DecodedMessage
                    {
                        Request = new Request { Seq = seq.Value, Command = command, Arguments = arguments },
                        Seq = seq,
                        Command = command,
                    };
                case MessageTypes.Response:
                    try
                    {
                        var response = root.Deserialize(ProtocolJsonContext.Default.Response);
                        return new DecodedMessage { Response = response, Seq = seq, Command = command };
                    }
                    catch (JsonException)
                    {
                        return new DecodedMessage { Error = "The response is malformed.", Seq = seq, Command = command };
                    }
                case string other:
                    return new DecodedMessage { Error = $"A client may send requests and responses, not '{ClientText.Short(other)}' messages.", Seq = seq, Command = command };
                default:
                    return new DecodedMessage { Error = "The message has no string 'type' property.", Seq = seq, Command = command };
            }
        }
    }

    /// <summary>The path of the first property that appears twice in one object (depth first), or null.</summary>
    private static string? FindDuplicate(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? names = null;
                foreach (var property in element.EnumerateObject())
                {
                    names ??= new(StringComparer.Ordinal);
                    string at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!names.Add(property.Name))
                        return at;
                    if (FindDuplicate(property.Value, at) is { } inner)
                        return inner;
                }
                return null;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicate(item, $"{path}[{i++}]") is { } inner)
                        return inner;
                }
                return null;
            default:
                return null;
        }
    }

    internal static string FirstSentence(string message)
    {
        int cut = message.IndexOf(". ", StringComparison.Ordinal);
        var sentence = cut < 0 ? message : message[..cut];
        return sentence.TrimEnd('.');
    }
}
