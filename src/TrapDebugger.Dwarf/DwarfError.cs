namespace TrapDebugger.Dwarf;

/// <summary>Builds the typed error for malformed DWARF: an <see cref="InvalidDataException"/> naming the section and offset.</summary>
internal static class DwarfError
{
    public static InvalidDataException At(string section, long offset, string what) =>
        new($"{section} at offset 0x{offset:x}: {what}");
}
