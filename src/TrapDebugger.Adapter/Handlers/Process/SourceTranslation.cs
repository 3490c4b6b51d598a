using TrapDebugger.Protocol.Types;

namespace TrapDebugger.Adapter.Handlers.Process;

/// <summary>File paths from debug information as DAP <see cref="Source"/> objects.</summary>
public static class SourceTranslation
{
    /// <summary>A source for <paramref name="path"/> of the debug information, translated by <paramref name="paths"/>;
    /// sources that do not exist on this machine are de-emphasized.</summary>
    public static Source? ToSource(string? path, SourcePaths paths) =>
        string.IsNullOrEmpty(path) ? null : ClientSource(paths.ToClient(path));

    /// <summary>A source for <paramref name="path"/>, a path of the client's machine.</summary>
    public static Source? ClientSource(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return null;
        return new Source
        {
            Name = Path.GetFileName(path),
            Path = path,
            PresentationHint = File.Exists(path) ? null : "deemphasize",
        };
    }

    /// <summary>The address as DAP writes memory references: "0x" and lowercase hex.</summary>
    public static string Address(ulong address) => $"0x{address:x}";

    /// <summary>Parses a memory reference ("0x…" hex or decimal) plus an optional byte offset.</summary>
    /// <exception cref="Session.RequestFailedException">The reference is not an address.</exception>
    public static ulong ParseAddress(string command, string reference, long offset = 0)
    {
        var text = reference.Trim();
        bool ok = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);
        if (!ok)
            throw new Session.RequestFailedException($"{command}: '{reference}' is not a memory reference (expected an address such as 0x401000).");
        return unchecked(value + (ulong)offset);
    }
}
