using System.Text;
using TrapDebugger.Dwarf.Types;

namespace TrapDebugger.Adapter.Handlers.DebugConsole;

/// <summary>Writes a type out as gdb's <c>ptype</c> does: typedefs resolved, structs, unions, classes and enums with their
/// members, a pointer to a struct with the struct spelled out.</summary>
public static class TypeDeclaration
{
    /// <summary>The declaration of <paramref name="type"/>, members indented by four spaces.</summary>
    public static string Expand(DwarfType type)
    {
        var resolved = WithoutTypedefs(type);
        int pointers = 0;
        while (resolved is PointerType { Pointee: { } pointee } && WithoutTypedefs(pointee) is CompositeType or EnumerationType or PointerType)
        {
            resolved = WithoutTypedefs(pointee);
            pointers++;
        }
        var body = resolved switch
        {
            CompositeType composite => Composite(composite),
            EnumerationType enumeration => Enumeration(enumeration),
            _ => TypeNames.Format(resolved),
        };
        return pointers == 0 ? body : $"{body} {new string('*', pointers)}";
    }

    private static string Composite(CompositeType type)
    {
        var text = new StringBuilder(type.Keyword);
        if (type.Name is { Length: > 0 } name)
            text.Append(' ').Append(name);
        if (type.IsDeclaration)
            return text.Append(" {\n    <incomplete type>\n}").ToString();
        if (type.Bases.Count > 0)
            text.Append(" : ").AppendJoin(", ", type.Bases.Select(b => $"{(b.IsVirtual ? "virtual " : "")}public {TypeNames.Format(b.Type)}"));
        text.Append(" {\n");
        foreach (var member in type.Members)
        {
            if (member.IsArtificial)
                continue;
            text.Append("    ").Append(Declare(member.Type, member.Name ?? ""));
            if (member.BitSize is { } bits)
                text.Append(" : ").Append(bits);
            text.Append(";\n");
        }
        return text.Append('}').ToString();
    }

    private static string Enumeration(EnumerationType type)
    {
        var text = new StringBuilder("enum ");
        if (type.IsScoped)
            text.Append("class ");
        if (type.Name is { Length: > 0 } name)
            text.Append(name).Append(' ');
        long expected = 0;
        var items = new List<string>();
        foreach (var enumerator in type.Enumerators)
        {
            items.Add(enumerator.Value == expected ? enumerator.Name : $"{enumerator.Name} = {enumerator.Value}");
            expected = enumerator.Value + 1;
        }
        return text.Append('{').AppendJoin(", ", items).Append('}').ToString();
    }

    /// <summary>A C declarator: <c>int values[4]</c>, <c>struct node *next</c>, <c>unsigned int count</c>.</summary>
    public static string Declare(DwarfType? type, string name)
    {
        if (type is ArrayType array)
        {
            var dimensions = string.Concat(array.Dimensions.Select(d => d is { } n ? $"[{n}]" : "[]"));
            return Declare(array.Element, name + dimensions);
        }
        var spelled = TypeNames.Format(type);
        if (name.Length == 0)
            return spelled;
        return spelled.EndsWith('*') || spelled.EndsWith('&') ? spelled + name : $"{spelled} {name}";
    }

    private static DwarfType WithoutTypedefs(DwarfType type)
    {
        var current = type;
        for (int i = 0; i < 64 && current is TypedefType { Target: { } target }; i++)
            current = target;
        return current;
    }
}
