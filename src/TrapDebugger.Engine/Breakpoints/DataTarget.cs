using System.Globalization;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Engine.Expressions;
using TrapDebugger.Engine.Unwinding;
using TrapDebugger.Engine.Values;

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

    /// <summary>The memory of <paramref name="value"/>, named <paramref name="name"/>, checked against what a debug register can watch.</summary>
    /// <exception cref="ExpressionException">The value has no memory (a register, optimized out, computed), is a bit field,
    /// or is not 1, 2, 4 or 8 aligned bytes; the message says why and what to watch instead.</exception>
    public static DataTarget Of(string name, DebugValue value)
    {
        switch (value.Location.Kind)
        {
            case ValueLocationKind.Register:
                throw new ExpressionException($"'{name}' is held in register {RegisterSet.NameOf(value.Location.Register)} here, not in memory, so no data breakpoint can watch it");
            case ValueLocationKind.OptimizedOut:
                throw new ExpressionException($"'{name}' is optimized out here, so there is no memory to watch");
            case ValueLocationKind.Computed:
                throw new ExpressionException($"'{name}' is a computed value with no address; watch a variable or '*pointer' instead");
            case ValueLocationKind.Unavailable:
                throw new ExpressionException($"'{name}' cannot be read: {value.Error}");
        }
        if (value.BitSize is not null)
            throw new ExpressionException($"'{name}' is a bit field; x86 debug registers watch whole bytes, so watch the structure member that holds it");
        var size = value.Canonical.ByteSize;
        if (size == 0) throw new ExpressionException($"'{name}' has no size, so there is nothing to watch");
        if (!IsWatchableSize((long)Math.Min(size, int.MaxValue)))
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}' is {size} bytes; an x86 debug register watches 1, 2, 4 or 8 aligned bytes, so watch one of its members or elements instead"));
        var address = value.Address!.Value;
        RequireWatchable(name, address, (int)size);
        return new DataTarget(address, (int)size, name, value.Type);
    }

    /// <summary>Throws unless <paramref name="size"/> bytes at <paramref name="address"/> are what one x86 debug register watches.</summary>
    /// <exception cref="ExpressionException">The size or alignment cannot be watched, or the address is not in user space.</exception>
    public static void RequireWatchable(string name, ulong address, int size)
    {
        if (!IsWatchableSize(size))
            throw new ExpressionException($"an x86 debug register watches 1, 2, 4 or 8 bytes, not {size}");
        if (address % (ulong)size != 0)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}' at 0x{address:x} is not aligned to its {size}-byte size; x86 debug registers watch only aligned 1, 2, 4 or 8 bytes"));
        if (address >= 0x0000_8000_0000_0000UL)
            throw new ExpressionException(string.Create(CultureInfo.InvariantCulture, $"0x{address:x} is not a user-space address"));
    }
}
