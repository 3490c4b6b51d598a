using System.Text;

namespace TrapDebugger.Elf.Demangling;

// The node tree of a demangled Itanium name. Types print in two halves (left and right of the declarator) so that
// pointers to functions and arrays come out as C++ spells them: "int (*)(char)", "int (&) [3]".

internal abstract class Node
{
    public virtual bool HasRightPart => false;
    public virtual bool IsFunction => false;
    public virtual bool IsArray => false;

    public abstract void PrintLeft(StringBuilder sb);

    public virtual void PrintRight(StringBuilder sb) { }

    public void Print(StringBuilder sb)
    {
        PrintLeft(sb);
        if (HasRightPart) PrintRight(sb);
    }

    public virtual string BaseName => ToString();

    public override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb);
        return sb.ToString();
    }
}

internal sealed class NameNode(string name) : Node
{
    public string Name { get; } = name;
    public override void PrintLeft(StringBuilder sb) => sb.Append(Name);
    public override string BaseName => Name;
}

internal sealed class NestedName(Node qualifier, Node name) : Node
{
    public Node Qualifier { get; } = qualifier;
    public Node Name { get; } = name;

    public override void PrintLeft(StringBuilder sb)
    {
        Qualifier.Print(sb);
        sb.Append("::");
        Name.Print(sb);
    }

    public override string BaseName => Name.BaseName;
}

internal sealed class StdName(Node child) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        sb.Append("std::");
        child.Print(sb);
    }

    public override string BaseName => child.BaseName;
}

internal sealed class ModuleNameNode(Node? parent, string name, bool partition) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        if (parent != null) parent.Print(sb);
        if (parent != null || partition) sb.Append(partition ? ':' : '.');
        sb.Append(name);
    }
}

internal sealed class ModuleEntity(ModuleNameNode module, Node name) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        name.Print(sb);
        sb.Append('@');
        module.Print(sb);
    }

    public override string BaseName => name.BaseName;
}

internal sealed class AbiTagged(Node child, string tag) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        child.PrintLeft(sb);
        sb.Append("[abi:").Append(tag).Append(']');
    }

    public override string BaseName => child.BaseName;
}

/// <summary>The std abbreviations Sa, Sb, Ss, Si, So, Sd; ctor/dtor names use the expanded spelling.</summary>
internal sealed class SpecialSubstitution(char kind, bool expanded) : Node
{
    public char Kind { get; } = kind;

    public SpecialSubstitution Expanded() => new(Kind, true);

    public override string BaseName => Kind switch
    {
        'a' => "allocator",
        'b' => "basic_string",
        's' => expanded ? "basic_string" : "string",
        'i' => expanded ? "basic_istream" : "istream",
        'o' => expanded ? "basic_ostream" : "ostream",
        _ => expanded ? "basic_iostream" : "iostream",
    };

    public override void PrintLeft(StringBuilder sb)
    {
        if (!expanded || Kind is 'a' or 'b')
        {
            sb.Append("std::").Append(BaseName);
            return;
        }
        sb.Append(Kind switch
        {
            's' => "std::basic_string<char, std::char_traits<char>, std::allocator<char>>",
            'i' => "std::basic_istream<char, std::char_traits<char>>",
            'o' => "std::basic_ostream<char, std::char_traits<char>>",
            _ => "std::basic_iostream<char, std::char_traits<char>>",
        });
    }
}

internal sealed class CtorDtorName(Node basis, bool isDtor) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        if (isDtor) sb.Append('~');
        sb.Append(basis.BaseName);
    }
}

internal sealed class TemplateArgs(List<Node> args) : Node
{
    public List<Node> Args { get; } = args;

    public override void PrintLeft(StringBuilder sb)
    {
        sb.Append('<');
        PrintList(sb, Args);
        sb.Append('>');
    }

    public static void PrintList(StringBuilder sb, List<Node> nodes)
    {
        bool first = true;
        foreach (var n in nodes)
        {
            int before = sb.Length;
            if (!first) sb.Append(", ");
            int start = sb.Length;
            n.Print(sb);
            // An empty pack expansion prints nothing, and neither does its separator.
            if (sb.Length == start) sb.Length = before;
            else first = false;
        }
    }
}

internal sealed class NameWithTemplateArgs(Node name, TemplateArgs args) : Node
{
    public Node Name { get; } = name;
    public TemplateArgs Args { get; } = args;

    public override void PrintLeft(StringBuilder sb)
    {
        Name.Print(sb);
        Args.Print(sb);
    }

    public override string BaseName => Name.BaseName;
}

/// <summary>A vendor-extended type transform applied to a type, "__decay(int const*)".</summary>
internal sealed class TransformedType(Node transform, Node argument) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        transform.Print(sb);
        sb.Append('(');
        argument.Print(sb);
        sb.Append(')');
    }
}

internal sealed class TemplateArgumentPack(List<Node> elements) : Node
{
    public List<Node> Elements { get; } = elements;
    public override void PrintLeft(StringBuilder sb) => TemplateArgs.PrintList(sb, Elements);
}

/// <summary>A pack expansion (Dp, sp): prints the pattern once per element of the pack it mentions.</summary>
/// <remarks>The pack is found by printing the pattern once with element 0 selected and noting the size of any pack
/// a template parameter resolved to; a pattern that mentions no pack prints as itself.</remarks>
internal sealed class PackExpansion(Node child) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        int savedIndex = ForwardTemplateReference.PackIndex;
        int savedSize = ForwardTemplateReference.PackSize;
        try
        {
            ForwardTemplateReference.PackIndex = 0;
            ForwardTemplateReference.PackSize = -1;
            var probe = new StringBuilder();
            child.Print(probe);
            int size = ForwardTemplateReference.PackSize;
            if (size < 0)
            {
                sb.Append(probe);
                return;
            }
            for (int i = 0; i < size; i++)
            {
                if (i > 0) sb.Append(", ");
                ForwardTemplateReference.PackIndex = i;
                child.Print(sb);
            }
        }
        finally
        {
            ForwardTemplateReference.PackIndex = savedIndex;
            ForwardTemplateReference.PackSize = savedSize;
        }
    }
}

/// <summary>A reference to a template parameter (T_), resolved after the template arguments are known.</summary>
internal sealed class TemplateParamReference(int index, string fallback) : Node
{
    public Node? Target { get; set; }
    public int Index { get; } = index;

    public Node? Current
    {
        get
        {
            if (Target is TemplateArgumentPack p && ForwardTemplateReference.PackIndex >= 0)
            {
                ForwardTemplateReference.PackSize = Math.Max(ForwardTemplateReference.PackSize, p.Elements.Count);
                int i = ForwardTemplateReference.PackIndex;
                return i < p.Elements.Count ? p.Elements[i] : null;
            }
            return Target;
        }
    }

    public override bool HasRightPart => Current?.HasRightPart ?? false;
    public override bool IsFunction => Current?.IsFunction ?? false;
    public override bool IsArray => Current?.IsArray ?? false;

    public override void PrintLeft(StringBuilder sb)
    {
        Guarded(() =>
        {
            if (Current is { } t) t.PrintLeft(sb);
            else if (Target == null) sb.Append(fallback);
        });
    }

    public override void PrintRight(StringBuilder sb) => Guarded(() => Current?.PrintRight(sb));

    // A template argument can mention the parameter it binds (a malformed or adversarial name); stop instead of recursing forever.
    private static void Guarded(Action print)
    {
        if (++ForwardTemplateReference.PrintDepth > 64)
        {
            ForwardTemplateReference.PrintDepth = 0;
            throw new DemanglePrintException();
        }
        try { print(); }
        finally { if (ForwardTemplateReference.PrintDepth > 0) ForwardTemplateReference.PrintDepth--; }
    }
}

/// <summary>Printing a name ran into a reference cycle or exceeded the output bound.</summary>
internal sealed class DemanglePrintException : Exception;

/// <summary>Per-thread printing state: which pack element is being printed and how deep template references nest.</summary>
internal static class ForwardTemplateReference
{
    [ThreadStatic] private static int _packIndexPlusOne;
    [ThreadStatic] private static int _packSizePlusOne;
    [ThreadStatic] private static int _printDepth;

    public static int PackIndex { get => _packIndexPlusOne - 1; set => _packIndexPlusOne = value + 1; }
    public static int PackSize { get => _packSizePlusOne - 1; set => _packSizePlusOne = value + 1; }
    public static int PrintDepth { get => _printDepth; set => _printDepth = value; }
}

internal sealed class QualifiedType(Node child, string qualifiers) : Node
{
    public Node Child { get; } = child;
    public string Qualifiers { get; } = qualifiers;
    public override bool HasRightPart => Child.HasRightPart;
    public override bool IsFunction => Child.IsFunction;
    public override bool IsArray => Child.IsArray;

    public override void PrintLeft(StringBuilder sb)
    {
        Child.PrintLeft(sb);
        if (!Child.IsFunction) sb.Append(Qualifiers);
    }

    public override void PrintRight(StringBuilder sb)
    {
        Child.PrintRight(sb);
        if (Child.IsFunction) sb.Append(Qualifiers);
    }
}

internal sealed class VendorQualifiedType(Node child, string qualifier, TemplateArgs? args) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        child.Print(sb);
        sb.Append(' ').Append(qualifier);
        args?.Print(sb);
    }
}

internal sealed class PointerType(Node pointee) : Node
{
    public Node Pointee { get; } = pointee;
    public override bool HasRightPart => Pointee.HasRightPart;

    public override void PrintLeft(StringBuilder sb)
    {
        Pointee.PrintLeft(sb);
        if (Pointee.IsArray) sb.Append(' ');
        if (Pointee.IsArray || Pointee.IsFunction) sb.Append('(');
        sb.Append('*');
    }

    public override void PrintRight(StringBuilder sb)
    {
        if (Pointee.IsArray || Pointee.IsFunction) sb.Append(')');
        Pointee.PrintRight(sb);
    }
}

internal sealed class ReferenceType(Node pointee, bool rvalue) : Node
{
    public Node Pointee { get; } = pointee;
    public bool IsRvalue { get; } = rvalue;

    // Reference collapsing: & & is &, && & is &, & && is &, && && is &&.
    private (Node Target, bool Rvalue) Collapse()
    {
        Node target = Pointee;
        bool rv = IsRvalue;
        for (int guard = 0; guard < 64; guard++)
        {
            var t = target;
            for (int hops = 0; t is TemplateParamReference r && r.Current != null; hops++)
            {
                if (hops > 64) throw new DemanglePrintException();
                t = r.Current;
            }
            if (t is not ReferenceType inner)
            {
                target = t;
                break;
            }
            rv &= inner.IsRvalue;
            target = inner.Pointee;
        }
        return (target, rv);
    }

    public override bool HasRightPart => Collapse().Target.HasRightPart;

    public override void PrintLeft(StringBuilder sb)
    {
        var (t, rv) = Collapse();
        t.PrintLeft(sb);
        if (t.IsArray) sb.Append(' ');
        if (t.IsArray || t.IsFunction) sb.Append('(');
        sb.Append(rv ? "&&" : "&");
    }

    public override void PrintRight(StringBuilder sb)
    {
        var (t, _) = Collapse();
        if (t.IsArray || t.IsFunction) sb.Append(')');
        t.PrintRight(sb);
    }
}

internal sealed class PointerToMemberType(Node classType, Node memberType) : Node
{
    public override bool HasRightPart => memberType.HasRightPart;

    public override void PrintLeft(StringBuilder sb)
    {
        memberType.PrintLeft(sb);
        if (memberType.IsArray || memberType.IsFunction) sb.Append('(');
        else sb.Append(' ');
        classType.Print(sb);
        sb.Append("::*");
    }

    public override void PrintRight(StringBuilder sb)
    {
        if (memberType.IsArray || memberType.IsFunction) sb.Append(')');
        memberType.PrintRight(sb);
    }
}

internal sealed class ArrayType(Node element, string dimension) : Node
{
    public override bool HasRightPart => true;
    public override bool IsArray => true;

    public override void PrintLeft(StringBuilder sb) => element.PrintLeft(sb);

    public override void PrintRight(StringBuilder sb)
    {
        if (sb.Length == 0 || sb[^1] != ']') sb.Append(' ');
        sb.Append('[').Append(dimension).Append(']');
        element.PrintRight(sb);
    }
}

internal sealed class VectorType(Node element, string dimension, bool pixel) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        if (pixel) { sb.Append("pixel vector[").Append(dimension).Append(']'); return; }
        element.Print(sb);
        sb.Append(" vector[").Append(dimension).Append(']');
    }
}

internal sealed class FunctionType(Node ret, List<Node> parameters, string cv, string refQualifier, string exceptionSpec) : Node
{
    public Node Return { get; } = ret;
    public List<Node> Params { get; } = parameters;
    public override bool HasRightPart => true;
    public override bool IsFunction => true;

    public override void PrintLeft(StringBuilder sb)
    {
        Return.PrintLeft(sb);
        sb.Append(' ');
    }

    public override void PrintRight(StringBuilder sb)
    {
        sb.Append('(');
        TemplateArgs.PrintList(sb, Params);
        sb.Append(')');
        Return.PrintRight(sb);
        sb.Append(cv).Append(refQualifier).Append(exceptionSpec);
    }
}

internal sealed class FunctionEncoding(Node? ret, Node name, List<Node> parameters, string cv, string refQualifier, Node? requires) : Node
{
    public Node Name { get; } = name;
    public override bool HasRightPart => true;
    public override bool IsFunction => true;

    public override void PrintLeft(StringBuilder sb)
    {
        if (ret != null)
        {
            ret.PrintLeft(sb);
            if (!ret.HasRightPart) sb.Append(' ');
        }
        Name.Print(sb);
    }

    public override void PrintRight(StringBuilder sb)
    {
        sb.Append('(');
        TemplateArgs.PrintList(sb, parameters);
        sb.Append(')');
        ret?.PrintRight(sb);
        sb.Append(cv).Append(refQualifier);
        if (requires != null)
        {
            sb.Append(" requires ");
            requires.Print(sb);
        }
    }
}

internal sealed class SpecialName(string prefix, Node child) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        sb.Append(prefix);
        child.Print(sb);
    }
}

internal sealed class CtorVtableName(Node first, Node second) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        sb.Append("construction vtable for ");
        first.Print(sb);
        sb.Append("-in-");
        second.Print(sb);
    }
}

internal sealed class LocalName(Node encoding, Node entity) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        encoding.Print(sb);
        sb.Append("::");
        entity.Print(sb);
    }

    public override string BaseName => entity.BaseName;
}

internal sealed class ClosureTypeName(List<Node> templateParams, List<Node> parameters, string count) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        sb.Append("'lambda").Append(count).Append('\'');
        if (templateParams.Count > 0)
        {
            sb.Append('<');
            TemplateArgs.PrintList(sb, templateParams);
            sb.Append('>');
        }
        sb.Append('(');
        TemplateArgs.PrintList(sb, parameters);
        sb.Append(')');
    }
}

internal sealed class DotSuffix(Node prefix, string suffix) : Node
{
    public override void PrintLeft(StringBuilder sb)
    {
        prefix.Print(sb);
        sb.Append(" (").Append(suffix).Append(')');
    }
}

internal sealed class EnableIfAttribute(Node child, List<Node> conditions) : Node
{
    public override bool HasRightPart => true;
    public override bool IsFunction => child.IsFunction;
    public override void PrintLeft(StringBuilder sb) => child.PrintLeft(sb);

    public override void PrintRight(StringBuilder sb)
    {
        child.PrintRight(sb);
        sb.Append(" [enable_if:");
        TemplateArgs.PrintList(sb, conditions);
        sb.Append(']');
    }
}

/// <summary>An expression in a template argument or decltype, already rendered to text.</summary>
internal sealed class TextNode(string text) : Node
{
    public override void PrintLeft(StringBuilder sb) => sb.Append(text);
}

/// <summary>An expression built from other nodes at print time (so template parameters resolve late).</summary>
internal sealed class CompositeNode(Func<StringBuilder, bool> print) : Node
{
    public override void PrintLeft(StringBuilder sb) => print(sb);
}
