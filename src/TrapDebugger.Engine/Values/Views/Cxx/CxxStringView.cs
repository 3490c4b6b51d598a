using TrapDebugger.Elf;

namespace TrapDebugger.Engine.Values.Views.Cxx;

/// <summary><c>std::string</c> and <c>std::string_view</c> of libstdc++ and libc++, shown quoted; <c>s[i]</c> is a character,
/// <c>size()</c>/<c>length()</c>/<c>empty()</c> answer from the object.</summary>
internal sealed class CxxStringView(DebugValue value, ulong data, ulong length) : ValueView
{
    /// <summary>The view of a string or string view, or null when its members are not the expected ones.</summary>
    public static ValueView? Create(DebugValue value, IByteSource memory)
    {
        // libstdc++: _M_dataplus._M_p and _M_string_length.
        if (Members.Find(value, "_M_p", Members.IsPointer) is { } p && Members.Find(value, "_M_string_length") is { } len)
            return new CxxStringView(value, p.GetRawInteger(memory), len.GetRawInteger(memory));
        // string_view: libstdc++ {_M_len, _M_str}, libc++ {__data_, __size_}.
        if (Members.Find(value, "_M_str", Members.IsPointer) is { } str && Members.Find(value, "_M_len") is { } strLen)
            return new CxxStringView(value, str.GetRawInteger(memory), strLen.GetRawInteger(memory));
        if (value.Member("__data_") is { } viewData && Members.IsPointer(viewData) && value.Member("__size_") is { } viewSize)
            return new CxxStringView(value, viewData.GetRawInteger(memory), viewSize.GetRawInteger(memory));
        // libc++: a union of a long form {__is_long_, __cap_, __size_, __data_} and a short form {__is_long_, __size_, __data_[]}.
        if (Members.Find(value, "__l") is { } l && Members.Find(value, "__s") is { } s)
        {
            var isLong = s.Member("__is_long_") ?? l.Member("__is_long_");
            if (isLong is not null && isLong.GetRawInteger(memory) != 0)
            {
                if (l.Member("__data_") is not { } ld || l.Member("__size_") is not { } ls) return null;
                return new CxxStringView(value, ld.GetRawInteger(memory), ls.GetRawInteger(memory));
            }
            if (s.Member("__data_") is not { Address: { } sd } || s.Member("__size_") is not { } ss) return null;
            return new CxxStringView(value, sd, ss.GetRawInteger(memory));
        }
        return null;
    }

    /// <inheritdoc/>
    public override string Summary(ValueFormatter formatter, ValueFormat format, int depth) => formatter.QuoteAt(data, length);

    /// <inheritdoc/>
    public override DebugValue? Element(long index)
    {
        CheckIndex(index, (long)Math.Min(length, long.MaxValue));
        return DebugValue.InMemory(BuiltinTypes.Char, data + (ulong)index);
    }

    /// <inheritdoc/>
    public override DebugValue? Method(string name) => name switch
    {
        "size" or "length" => DebugValue.FromInteger(BuiltinTypes.SizeT, (long)length),
        "empty" => DebugValue.FromInteger(BuiltinTypes.Bool, length == 0 ? 1 : 0),
        "data" or "c_str" => DebugValue.FromInteger(BuiltinTypes.PointerTo(new Dwarf.Types.QualifiedType { Qualifier = Dwarf.Types.TypeQualifier.Const, Target = BuiltinTypes.Char }), (long)data),
        _ => null,
    };

    /// <summary>The string object this view reads.</summary>
    public DebugValue Value => value;
}
