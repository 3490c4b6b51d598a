using System.Text;

namespace TrapDebugger.Dwarf.Types;

/// <summary>Spells a <see cref="DwarfType"/> the way C and C++ declare it ("const char *", "int (*)[4]", "void (*)(int)").</summary>
/// <remarks>C declarators wrap around the name, so a type is printed as a prefix and a suffix around an (empty)
/// declarator; pointers to arrays and functions need parentheses, exactly as the compiler's own printer adds them.</remarks>
public static class TypeNames
{
    private const int MaxDepth = 32;

    /// <summary>Returns the C/C++ spelling of <paramref name="type"/> (null is void).</summary>
    public static string Format(DwarfType? type)
    {
        var prefix = new StringBuilder();
        var suffix = new StringBuilder();
        Write(type, prefix, suffix, 0);
        var s = prefix.ToString() + suffix.ToString();
        return s.TrimEnd();
    }

    private static void Write(DwarfType? type, StringBuilder prefix, StringBuilder suffix, int depth)
    {
        if (depth > MaxDepth)
        {
            prefix.Append("...");
            return;
        }
        switch (type)
        {
            case null:
                prefix.Append("void");
                break;
            case PointerType { Name: { } named }:
                // Rust names its pointer types as the language spells them ("&str", "alloc::boxed::Box<T, A>").
                prefix.Append(named);
                break;
            case PointerType p:
                WriteIndirect(p.Pointee, "*", prefix, suffix, depth);
                break;
            case ArrayType { Language.IsRust: true } rust:
                // Rust spells an array "[T; N]", and an array of arrays from the outside in: "[[T; 3]; 2]".
                {
                    var text = Format(rust.Element);
                    for (int i = rust.Dimensions.Count - 1; i >= 0; i--) text = $"[{text}; {rust.Dimensions[i]?.ToString() ?? "?"}]";
                    prefix.Append(text);
                    break;
                }
            case ReferenceType r:
                WriteIndirect(r.Referent, r.IsRvalue ? "&&" : "&", prefix, suffix, depth);
                break;
            case PointerToMemberType pm:
                WriteIndirect(pm.MemberType, (pm.ContainingType?.Name ?? "?") + "::*", prefix, suffix, depth);
                break;
            case QualifiedType q:
                {
                    var word = q.Qualifier switch
                    {
                        TypeQualifier.Const => "const",
                        TypeQualifier.Volatile => "volatile",
                        TypeQualifier.Restrict => "restrict",
                        _ => "_Atomic",
                    };
                    // "const int" reads better than "int const"; pointers take the qualifier after the star.
                    if (q.Target is null or BaseType or CompositeType or EnumerationType or TypedefType or UnspecifiedType)
                    {
                        prefix.Append(word).Append(' ');
                        Write(q.Target, prefix, suffix, depth + 1);
                    }
                    else
                    {
                        Write(q.Target, prefix, suffix, depth + 1);
                        // "char *const", as clang and lldb print a qualified pointer.
                        if (prefix.Length > 0 && prefix[^1] is not ('*' or '&')) prefix.Append(' ');
                        prefix.Append(word);
                    }
                    break;
                }
            case ArrayType a:
                {
                    Write(a.Element, prefix, suffix, depth + 1);
                    var dims = new StringBuilder();
                    foreach (var d in a.Dimensions) dims.Append('[').Append(d?.ToString() ?? "").Append(']');
                    suffix.Insert(0, dims.ToString());
                    break;
                }
            case SubroutineType f:
                {
                    Write(f.ReturnType, prefix, suffix, depth + 1);
                    var args = string.Join(", ", f.Parameters.Select(Format));
                    if (f.IsVariadic) args = args.Length == 0 ? "..." : args + ", ...";
                    suffix.Insert(0, "(" + args + ")");
                    break;
                }
            case CompositeType c:
                prefix.Append(c.Name ?? $"({(c.Kind == DwarfTypeKind.Union ? "unnamed union" : "unnamed struct")})");
                break;
            case EnumerationType e:
                prefix.Append(e.Name ?? "(unnamed enum)");
                break;
            default:
                prefix.Append(type.Name ?? "?");
                break;
        }
    }

    private static void WriteIndirect(DwarfType? target, string op, StringBuilder prefix, StringBuilder suffix, int depth)
    {
        if (target is ArrayType or SubroutineType)
        {
            // The pointer binds tighter than [] and (): "int (*)[4]".
            var innerPrefix = new StringBuilder();
            var innerSuffix = new StringBuilder();
            Write(target, innerPrefix, innerSuffix, depth + 1);
            prefix.Append(innerPrefix).Append(" (").Append(op);
            suffix.Insert(0, ")" + innerSuffix);
            return;
        }
        Write(target, prefix, suffix, depth + 1);
        if (prefix.Length > 0 && prefix[^1] != '*' && prefix[^1] != '&') prefix.Append(' ');
        prefix.Append(op);
    }
}
