using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TrapDebugger.Protocol.Messages;

namespace TrapDebugger.Protocol.Serialization;

/// <summary>Decodes a request's arguments into their typed form, turning type mismatches into one clear sentence.</summary>
public static class ArgumentDecoder
{
    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    // Arguments are read against the declared nullability: a null where the protocol requires a value ("filters": null)
    // is an error naming the argument, not a null reference deep inside a handler.
    private static readonly ProtocolJsonContext Strict = new(new JsonSerializerOptions(ProtocolJsonContext.Default.Options) { RespectNullableAnnotations = true });

    /// <summary>Decodes the arguments of <paramref name="request"/> (absent arguments decode as <c>{}</c>).</summary>
    /// <exception cref="ProtocolArgumentException">An argument has the wrong JSON type.</exception>
    public static T Decode<T>(Request request, JsonTypeInfo<T> typeInfo)
    {
        var arguments = request.Arguments ?? EmptyObject;
        var strict = Strict.GetTypeInfo(typeof(T)) as JsonTypeInfo<T> ?? typeInfo;
        try
        {
            return arguments.Deserialize(strict) ?? throw new ProtocolArgumentException($"{request.Command}: the arguments must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ProtocolArgumentException(Describe(request.Command, ex), ex);
        }
    }

    private static string Describe(string command, JsonException ex)
    {
        command = ClientText.Short(command);
        string path = ClientText.Short(ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..] : ex.Path ?? "");
        string message = ex.Message;
        if (message.Contains("doesn't allow", StringComparison.Ordinal) && message.Contains("null", StringComparison.Ordinal) && path.Length > 0)
            return $"{command}: argument '{path}' must not be null.";
        int marker = message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (marker >= 0)
        {
            string target = message[(marker + "could not be converted to ".Length)..];
            int end = target.IndexOf(". Path", StringComparison.Ordinal);
            if (end >= 0)
                target = target[..end];
            return $"{command}: argument '{path}' must be {Expected(target.TrimEnd('.'))}.";
        }
        int pathInfo = message.IndexOf(" Path: ", StringComparison.Ordinal);
        string reason = (pathInfo >= 0 ? message[..pathInfo] : message).TrimEnd('.', ' ');
        return path.Length > 0
            ? $"{command}: argument '{path}' is invalid: {reason}."
            : $"{command}: the arguments are invalid: {reason}.";
    }

    private static string Expected(string clrType)
    {
        string type = clrType.Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']');
        return type switch
        {
            "System.Int32" or "System.Int64" or "System.Double" or "System.UInt64" => "a number",
            "System.String" => "a string",
            "System.Boolean" => "true or false",
            _ when type.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) => "an array",
            _ => "an object",
        };
    }
}
