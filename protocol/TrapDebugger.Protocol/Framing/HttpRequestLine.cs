namespace TrapDebugger.Protocol.Framing;

/// <summary>Recognizes the first line of an HTTP request ("GET / HTTP/1.1"): what a browser, a WebSocket upgrade or a
/// DNS-rebinding page sends to a local port. A debugger port refuses it before anything else is read.</summary>
public static class HttpRequestLine
{
    /// <summary>True when <paramref name="line"/> (without its line end) is an HTTP request line: METHOD TARGET HTTP/x.</summary>
    public static bool Matches(ReadOnlySpan<char> line)
    {
        int first = line.IndexOf(' ');
        if (first <= 0 || !IsMethod(line[..first]))
            return false;
        var rest = line[(first + 1)..];
        int second = rest.IndexOf(' ');
        return second > 0 && rest[(second + 1)..].StartsWith("HTTP/", StringComparison.Ordinal);
    }

    private static bool IsMethod(ReadOnlySpan<char> method)
    {
        foreach (char c in method)
        {
            if (!char.IsAsciiLetterUpper(c))
                return false;
        }
        return true;
    }
}
