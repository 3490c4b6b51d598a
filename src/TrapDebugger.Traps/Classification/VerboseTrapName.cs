namespace TrapDebugger.Traps;

/// <summary>Parses the names of the artificial frames that carry trap messages in the debug information.</summary>
public static class VerboseTrapName
{
    /// <summary>The prefix of Clang's artificial trap-message subprograms (<c>__clang_trap_msg$Category$Message</c>).</summary>
    public const string ClangPrefix = "__clang_trap_msg$";

    /// <summary>The prefix of Swift's runtime-failure frames.</summary>
    public const string SwiftPrefix = "Swift runtime failure: ";

    /// <summary>Splits a trap-message frame name into its category and message; false when <paramref name="frameName"/> is not one.</summary>
    /// <remarks>Clang's Sema rejects '$' in both parts, so the first '$' after the prefix separates them; either part may be empty.</remarks>
    public static bool TryParse(string? frameName, out string category, out string message)
    {
        category = message = "";
        if (frameName is null) return false;
        if (frameName.StartsWith(ClangPrefix, StringComparison.Ordinal))
        {
            var rest = frameName.AsSpan(ClangPrefix.Length);
            var dollar = rest.IndexOf('$');
            if (dollar < 0) return false;
            category = rest[..dollar].ToString();
            message = rest[(dollar + 1)..].ToString();
            return true;
        }
        if (frameName.StartsWith(SwiftPrefix, StringComparison.Ordinal))
        {
            category = "Swift runtime failure";
            message = frameName[SwiftPrefix.Length..];
            return true;
        }
        return false;
    }

    /// <summary>The stop description for a category and message, as lldb words it ("Category: Message", "&lt;empty category&gt;" when empty).</summary>
    /// <remarks>A description is one line: the newline libc++ ends its assertion text with is left out (the message keeps it).</remarks>
    public static string Describe(string category, string message)
    {
        message = message.TrimEnd('\n');
        var head = category.Length == 0 ? "<empty category>" : category;
        return message.Length == 0 ? head : $"{head}: {message}";
    }
}
