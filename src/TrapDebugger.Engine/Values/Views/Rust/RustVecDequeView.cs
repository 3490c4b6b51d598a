using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Rust;

/// <summary><c>VecDeque&lt;T&gt;</c>: a ring buffer of <c>len</c> elements starting at slot <c>head</c> of a buffer of
/// <c>cap</c> slots.</summary>
internal sealed class RustVecDequeView(DwarfLanguage language, DwarfType element, ulong buffer, ulong head, ulong capacity, long count)
    : SequenceView(language, count)
{
    /// <summary>The view of a <c>VecDeque</c>, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        if (Members.TypeArgument(value.Canonical, 0) is not { } element || value.Member("head") is not { } head
            || value.Member("len") is not { } len || value.Member("buf") is not { } buf || Members.FirstPointer(buf) is not { } pointer)
            return null;
        ulong capacity = Members.Find(buf, "cap") is { } cap && Members.FirstInteger(cap) is { } c ? c.GetRawInteger(memory) : 0;
        long count = (long)len.GetRawInteger(memory);
        // A zero-sized element type has no buffer slots: every element sits at the buffer's address.
        if (capacity == 0 && count > 0 && element.Canonical.ByteSize != 0) return null;
        return new RustVecDequeView(value.Canonical.Language, element, pointer.GetRawInteger(memory), head.GetRawInteger(memory), capacity, count);
    }

    /// <inheritdoc/>
    protected override DebugValue ElementAt(long index)
    {
        ulong slot = capacity == 0 ? 0 : (head + (ulong)index) % capacity;
        return DebugValue.InMemory(element, buffer + slot * element.Canonical.ByteSize);
    }
}
