using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Frames;
using TrapDebugger.Engine.Model;
using TrapDebugger.Traps;
using DwarfLocation = TrapDebugger.Dwarf.SourceLocation;
using TrapLocation = TrapDebugger.Traps.SourceLocation;

namespace TrapDebugger.Engine.Diagnosis;

/// <summary>The trap analysis's view of debug information, answered from the process's modules (DWARF first, ELF symbols after).</summary>
public sealed class TargetSymbolizer(Target target) : ISymbolizer, IGlobalSymbols, ISourceText
{
    private readonly Dictionary<string, string[]?> _sources = [];

    /// <inheritdoc/>
    public SymbolizedLocation? Symbolize(ulong address)
    {
        var module = target.ModuleAt(address);
        if (module?.Symbols is not { } symbols) return null;
        AddressLookup lookup;
        try
        {
            lookup = symbols.Lookup(module.ToFileAddress(address));
        }
        catch (InvalidDataException)
        {
            return null;
        }
        var chain = new List<Traps.InlineFrame>();
        foreach (var f in lookup.Frames)
        {
            var name = f.Name ?? f.QualifiedName ?? "??";
            if (!name.StartsWith("__clang_trap_msg", StringComparison.Ordinal)) name = f.QualifiedName ?? name;
            chain.Add(new Traps.InlineFrame(name, Convert(f.CallSite), IsArtificial(f.Die)));
        }
        string? function = lookup.Function is { } fn ? fn.QualifiedName ?? fn.Name
            : lookup.Symbol is { } sym ? FrameSymbolizer.Demangle(sym.Name) : null;
        return new SymbolizedLocation(function, chain, Convert(lookup.Line));
    }

    /// <inheritdoc/>
    public FunctionBounds? FindFunction(ulong address)
    {
        var module = target.ModuleAt(address);
        if (module?.Symbols is not { } symbols) return null;
        try
        {
            ulong file = module.ToFileAddress(address);
            var lookup = symbols.Lookup(file);
            if (lookup.Function is { } fn)
            {
                var ranges = SplitFunctionSymbols.Of(symbols.Elf.Symbols).EntryFirst(fn.Die.Ranges);
                foreach (var r in ranges)
                {
                    if (r.Contains(file))
                        return Bounds(module, r, ranges, fn.QualifiedName ?? fn.Name ?? "??");
                }
            }
            if (lookup.Symbol is { } s && s.Size > 0)
            {
                var parts = SplitFunctionSymbols.Of(symbols.Elf.Symbols).PartsOf(s);
                return Bounds(module, new DwarfRange(s.Value, s.Value + s.Size), parts, FrameSymbolizer.Demangle(s.Name));
            }
        }
        catch (InvalidDataException)
        {
        }
        return null;
    }

    /// <summary>The part <paramref name="range"/> of a function whose parts (the entry's first) are <paramref name="parts"/>, at run-time addresses.</summary>
    private static FunctionBounds Bounds(Module module, DwarfRange range, IReadOnlyList<DwarfRange> parts, string name) =>
        new(module.ToRuntimeAddress(range.Low), module.ToRuntimeAddress(range.High), name)
        {
            Parts = parts.Count > 1 ? [.. parts.Where(p => p.High > p.Low).Select(p => new CodeRange(module.ToRuntimeAddress(p.Low), module.ToRuntimeAddress(p.High)))] : [],
        };

    /// <inheritdoc/>
    /// <remarks>Searches the variables and parameters of the scopes at <paramref name="address"/>, innermost first, for one
    /// whose location at that pc (its single expression, or the location-list entry covering the pc) is exactly the register.</remarks>
    public string? VariableInRegister(ulong address, string register) => VariableDieInRegister(address, register)?.Name;

    /// <inheritdoc/>
    /// <remarks>The register must hold a variable or parameter (as <see cref="VariableInRegister"/> finds it); each displacement
    /// then dereferences the current pointer and picks the member of the pointed-to structure at that offset.</remarks>
    public string? DescribeMemory(ulong address, string register, IReadOnlyList<long> displacements)
    {
        if (VariableDieInRegister(address, register) is not { } variable || target.ModuleAt(address) is not { } module) return null;
        return MemberChain(module, variable, displacements);
    }

    /// <inheritdoc/>
    /// <remarks>The slot is matched against the DW_OP_fbreg locations of the variables in scope at <paramref name="address"/>:
    /// the function's frame base (DW_AT_frame_base: a register, a register plus an offset, or the CFA of the unwind row at
    /// that address) relates [<paramref name="baseRegister"/> + <paramref name="displacement"/>] to a frame-base offset.</remarks>
    public string? DescribeFrameSlot(ulong address, string baseRegister, long displacement, IReadOnlyList<long> displacements)
    {
        int register = Unwinding.RegisterSet.NumberOf(baseRegister);
        if (register < 0 || target.ModuleAt(address) is not { } module || module.Symbols is not { } symbols) return null;
        try
        {
            ulong pc = module.ToFileAddress(address);
            var scopes = symbols.ScopesAt(pc);
            if (scopes.Count == 0 || scopes[^1].Find(DwarfAttribute.FrameBase) is not { } frameBase) return null;
            if (FrameBaseOffset(frameBase, pc, address, register) is not { } baseOffset) return null;
            long offset = displacement - baseOffset;
            foreach (var scope in scopes)
            {
                foreach (var v in SymbolIndex.VariablesOf(scope))
                {
                    if (string.IsNullOrEmpty(v.Name) || v.Location is not { } location) continue;
                    if (ExpressionAt(location, pc) is { } expression && FrameOffsetOf(expression.Span) == offset)
                        return MemberChain(module, v, displacements);
                }
            }
        }
        catch (InvalidDataException)
        {
        }
        return null;
    }

    // The variable's name followed by "->member" for each displacement: each step dereferences a pointer to a structure and
    // picks its member at that offset; null when a step is not such a member.
    private static string? MemberChain(Module module, DwarfVariable variable, IReadOnlyList<long> displacements)
    {
        try
        {
            var text = variable.Name;
            var type = module.Types.TypeOf(variable.Die);
            foreach (var displacement in displacements)
            {
                if (type?.Canonical is not Dwarf.Types.PointerType { Pointee: { } pointee } || pointee.Canonical is not Dwarf.Types.CompositeType composite)
                    return null;
                var member = composite.Members.FirstOrDefault(m => (long)m.ByteOffset == displacement && m.Name is { Length: > 0 } && !m.IsBitField);
                if (member is null) return null;
                text = $"{text}->{member.Name}";
                type = member.Type;
            }
            return text;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // The offset from the DWARF register `register` to the frame base at pc (frame base = register + offset), when the frame
    // base is that register (DW_OP_regN), that register plus a constant (DW_OP_bregN) or the CFA whose unwind row at the
    // run-time address is that register plus an offset (DW_OP_call_frame_cfa, as GCC describes frames).
    private long? FrameBaseOffset(DwarfAttributeValue frameBase, ulong pc, ulong address, int register)
    {
        if (ExpressionAt(frameBase, pc) is not { } expression) return null;
        var ops = expression.Span;
        if (ops.Length == 1 && ops[0] >= 0x50 && ops[0] <= 0x6f) return ops[0] - 0x50 == register ? 0 : null; // DW_OP_regN
        if (ops.Length >= 2 && ops[0] >= 0x70 && ops[0] <= 0x8f) // DW_OP_bregN SLEB128
        {
            if (ops[0] - 0x70 != register) return null;
            var r = new Elf.ByteReader(ops[1..]);
            var value = r.ReadSleb128();
            return r.Remaining == 0 ? value : null;
        }
        if (ops.Length == 1 && ops[0] == 0x9c // DW_OP_call_frame_cfa
            && target.FindRow(address) is { } found && found.Row.Cfa is { IsDefined: true, IsExpression: false } cfa && cfa.Register == register)
            return cfa.Offset;
        return null;
    }

    // N when the location is exactly DW_OP_fbreg N (a variable in the frame, as compilers place locals without optimization).
    private static long? FrameOffsetOf(ReadOnlySpan<byte> ops)
    {
        if (ops.Length < 2 || ops[0] != 0x91) return null;
        var r = new Elf.ByteReader(ops[1..]);
        var value = r.ReadSleb128();
        return r.Remaining == 0 ? value : null;
    }

    /// <inheritdoc/>
    public ImportedSymbol? SlotSymbol(ulong slotAddress)
    {
        if (target.ModuleAt(slotAddress) is not { } module || module.SlotSymbolName(slotAddress) is not { } name) return null;
        try
        {
            var weak = module.Elf?.Symbols.Dynamic.Any(s => s.Name == name && s.IsUndefined && s.Binding == Elf.ElfSymbolBinding.Weak) == true;
            var defined = target.Modules.Any(m => m.ExportedFunctionAddresses(name).Any() || m.Elf?.Symbols.Dynamic.Any(s => s.Name == name && !s.IsUndefined) == true);
            return new ImportedSymbol(name, weak && !defined);
        }
        catch (InvalidDataException)
        {
            return new ImportedSymbol(name, false);
        }
    }

    // The variable or parameter whose location at address is exactly the register, innermost scope first.
    private DwarfVariable? VariableDieInRegister(ulong address, string register)
    {
        int wanted = Unwinding.RegisterSet.NumberOf(register);
        if (wanted < 0) return null;
        var module = target.ModuleAt(address);
        if (module?.Symbols is not { } symbols) return null;
        try
        {
            ulong pc = module.ToFileAddress(address);
            foreach (var scope in symbols.ScopesAt(pc))
            {
                foreach (var v in SymbolIndex.VariablesOf(scope))
                {
                    if (string.IsNullOrEmpty(v.Name) || v.Die.Find(DwarfAttribute.Location) is not { } location) continue;
                    if (RegisterOfLocation(location, pc) == wanted) return v;
                }
            }
        }
        catch (InvalidDataException)
        {
        }
        return null;
    }

    // The DWARF register a location names at pc when it is exactly DW_OP_regN / DW_OP_regx (a whole value in one register).
    private static int? RegisterOfLocation(DwarfAttributeValue location, ulong pc)
    {
        if (ExpressionAt(location, pc) is not { } expression) return null;
        var ops = expression.Span;
        if (ops.Length == 1 && ops[0] is >= 0x50 and <= 0x6f) return ops[0] - 0x50; // DW_OP_reg0..31
        if (ops.Length >= 2 && ops[0] == 0x90) // DW_OP_regx ULEB128
        {
            int value = 0, shift = 0;
            for (int i = 1; i < ops.Length && shift < 28; i++, shift += 7)
            {
                value |= (ops[i] & 0x7f) << shift;
                if ((ops[i] & 0x80) == 0) return i == ops.Length - 1 ? value : null;
            }
        }
        return null;
    }

    // The location expression that applies at pc: the attribute's own, or the location-list entry covering pc.
    private static ReadOnlyMemory<byte>? ExpressionAt(DwarfAttributeValue location, ulong pc)
    {
        if (!location.IsListReference && location.Form is not (DwarfForm.Data4 or DwarfForm.Data8)) return location.AsBytes();
        foreach (var entry in DwarfLocationListReader.Read(location))
        {
            if (entry.Range is { } range && !range.Contains(pc)) continue;
            return entry.Expression;
        }
        return null;
    }

    /// <inheritdoc/>
    public ulong? AddressOf(string name)
    {
        foreach (var m in target.Modules)
        {
            try
            {
                if (m.Elf?.Symbols.FindByName(name).FirstOrDefault(s => !s.IsFunction && s.Value != 0) is { } s)
                    return m.ToRuntimeAddress(s.Value);
            }
            catch (InvalidDataException)
            {
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public ulong? FunctionAddress(string name)
    {
        foreach (var m in target.Modules)
        {
            try
            {
                if (m.Elf?.Symbols.FindByName(name).FirstOrDefault(s => s.IsFunction && s.Value != 0) is { } s)
                    return m.ToRuntimeAddress(s.Value);
            }
            catch (InvalidDataException)
            {
            }
        }
        return null;
    }

    /// <inheritdoc/>
    public string? DemangleType(string mangled)
    {
        // A type_info name is a mangled type without "_Z"; as the name of its typeinfo-name object it demangles with a fixed prefix.
        const string Prefix = "typeinfo name for ";
        return Elf.Demangling.Demangler.TryDemangle("_ZTS" + mangled) is { } d && d.StartsWith(Prefix, StringComparison.Ordinal) ? d[Prefix.Length..] : null;
    }

    /// <inheritdoc/>
    public string? GetLine(string file, int line)
    {
        string[]? lines;
        lock (_sources)
        {
            if (!_sources.TryGetValue(file, out lines))
            {
                try
                {
                    var info = new FileInfo(file);
                    lines = info.Exists && info.Length < 16 << 20 ? File.ReadAllLines(file) : null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    // ArgumentException: a name from corrupt debug information that is no path at all.
                    lines = null;
                }
                _sources[file] = lines;
            }
        }
        return lines is not null && line >= 1 && line <= lines.Length ? lines[line - 1] : null;
    }

    /// <summary>The major version of the Clang that produced the compile unit at <paramref name="address"/>, from DW_AT_producer.</summary>
    public int? ProducerClangVersion(ulong address)
    {
        var module = target.ModuleAt(address);
        if (module?.Symbols is not { } symbols) return null;
        try
        {
            var producer = symbols.UnitFor(module.ToFileAddress(address))?.Root.Find(DwarfAttribute.Producer)?.AsString();
            if (producer is null) return null;
            int at = producer.IndexOf("clang version ", StringComparison.Ordinal);
            if (at < 0) return null;
            var rest = producer[(at + "clang version ".Length)..];
            int dot = rest.IndexOf('.');
            return dot > 0 && int.TryParse(rest[..dot], out var major) ? major : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private static TrapLocation? Convert(DwarfLocation? location) =>
        location is { } l ? new TrapLocation(l.File ?? "", (int)l.Line, (int)l.Column) : null;

    private static bool IsArtificial(DwarfDie die)
    {
        var d = die;
        for (int hops = 0; hops < 4; hops++)
        {
            if (d.Find(DwarfAttribute.Artificial)?.AsFlag() == true) return true;
            if (d.Reference(DwarfAttribute.AbstractOrigin) is not { } origin || origin == d) return false;
            d = origin;
        }
        return false;
    }
}
