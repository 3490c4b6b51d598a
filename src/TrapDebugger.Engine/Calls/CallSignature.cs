using TrapDebugger.Dwarf;
using TrapDebugger.Dwarf.Types;
using TrapDebugger.Elf;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Calls;

/// <summary>A function of the program as a call needs it: where its code starts, what it takes and what it returns.</summary>
/// <param name="Name">The name the expression used.</param>
/// <param name="Address">The run-time address of its first instruction (for an indirect function, of its resolver).</param>
/// <param name="ReturnType">The return type; null for void.</param>
/// <param name="Parameters">The declared parameter types, in order.</param>
/// <param name="IsVariadic">True when it takes <c>...</c> after its parameters.</param>
public sealed record CallSignature(string Name, ulong Address, DwarfType? ReturnType, IReadOnlyList<DwarfType> Parameters, bool IsVariadic)
{
    /// <summary>False when only the symbol table knows the function: its parameters and return type are unknown.</summary>
    public bool IsDescribed { get; init; } = true;

    /// <summary>True for a GNU indirect function (STT_GNU_IFUNC): <see cref="Address"/> is a resolver that returns the
    /// address of the implementation to call (as glibc's <c>strlen</c> picks one for the CPU).</summary>
    public bool IsIndirect { get; init; }

    /// <summary>Finds the function named <paramref name="name"/>: in <paramref name="preferred"/> first (the calling frame's
    /// module), then in every module in load order; DWARF describes it when it can, else the symbol table names it.</summary>
    public static CallSignature? Find(Target target, Module? preferred, string name)
    {
        var modules = new List<Module>();
        if (preferred is not null) modules.Add(preferred);
        modules.AddRange(target.Modules.Where(m => m != preferred));
        foreach (var module in modules)
        {
            if (module.Symbols is not { } symbols) continue;
            try
            {
                foreach (var f in symbols.FindFunctions(name))
                {
                    if (f.IsInlined) continue;
                    if (f.Die is { } die && Described(name, module, die, f.EntryAddress) is { } described) return described;
                }
            }
            catch (InvalidDataException)
            {
                // Corrupt debug information in one module: look in the others.
            }
        }
        foreach (var module in modules)
        {
            ElfSymbol? symbol;
            try
            {
                symbol = module.Elf?.Symbols.FindByName(name)
                    .FirstOrDefault(s => s.Type is ElfSymbolType.Function or ElfSymbolType.GnuIndirectFunction && s.Value != 0 && !s.IsAbsolute);
            }
            catch (InvalidDataException)
            {
                continue;
            }
            if (symbol is null) continue;
            return new CallSignature(name, module.ToRuntimeAddress(symbol.Value), null, [], true)
            {
                IsDescribed = false,
                IsIndirect = symbol.Type == ElfSymbolType.GnuIndirectFunction,
            };
        }
        return null;
    }

    private static CallSignature? Described(string name, Module module, DwarfDie die, ulong entry)
    {
        // A declaration (a member function's declaration in its class) has no code; its definition is found separately.
        if (die.Find(DwarfAttribute.Declaration)?.AsFlag() == true) return null;
        // The assembler describes its functions without types (DW_LANG_Mips_Assembler): only the symbol table is worth as much.
        var language = new DwarfLanguage((ushort)(die.Unit.Root.Find(DwarfAttribute.Language)?.AsUnsigned() ?? 0));
        if (language.Code == 0x8001) return null;
        var types = module.Types;
        var parameters = new List<DwarfType>();
        bool variadic = false;
        foreach (var child in die.Children)
        {
            if (child.Tag == DwarfTag.FormalParameter)
                parameters.Add(types.TypeOf(child) ?? UnspecifiedType.Void);
            else if (child.Tag == DwarfTag.UnspecifiedParameters)
                variadic = true;
        }
        // A K&R C function without a prototype takes what it is given, with the default promotions, like a variadic one.
        bool prototyped = !language.IsC || die.FindRecursively(DwarfAttribute.Prototyped)?.AsFlag() == true;
        return new CallSignature(name, module.ToRuntimeAddress(entry), types.TypeOf(die), parameters, variadic || !prototyped);
    }
}
