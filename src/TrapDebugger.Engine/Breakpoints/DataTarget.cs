using System.Globalization;
using TrapDebugger.Dwarf.Types;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>Memory a data breakpoint can watch: an address and a size that one x86 debug register covers (1, 2, 4 or 8
/// bytes, aligned to the size), the name the user knows it by and, when it came from a variable, its type.</summary>
/// <param name="Address">The first watched byte.</param>
/// <param name="Size">How many bytes are watched: 1, 2, 4 or 8.</param>
/// <param name="Name">The variable or expression the bytes belong to ("counter", "p->next", "*(int*)0x404028").</param>
/// <param name="Type">The type of the watched object, used to show its old and new values; null for a raw address.</param>
public sealed record DataTarget(ulong Address, int Size, string Name, DwarfType? Type)
{
    /// <summary>The watched sizes an x86 debug register supports.</summary>
    public static bool IsWatchableSize(long size) => size is 1 or 2 or 4 or 8;

    /// <summary>One line for the user: what is watched and where.</summary>
    public string Description => Type is null
        ? string.Create(CultureInfo.InvariantCulture, $"{Size} bytes at 0x{Address:x} ({Name})")
        : string.Create(CultureInfo.InvariantCulture, $"{Name} ({Type.DisplayName}, {Size} bytes at 0x{Address:x})");
}
