using TrapDebugger.Dwarf;
using TrapDebugger.Engine.Model;

namespace TrapDebugger.Engine.Breakpoints;

/// <summary>Finds the addresses of a breakpoint in a module: the code of a source line (or the entries of the inlined
/// calls it makes when it has no code of its own), the entry (after the prologue) of every copy of a function and every
/// inlined instance.</summary>
public static class BreakpointResolver
{
    /// <summary>The locations of <paramref name="breakpoint"/> in <paramref name="module"/> (empty when the module has none).</summary>
    public static IReadOnlyList<BreakpointLocation> Resolve(Breakpoint breakpoint, Module module)
    {
        try
        {
            return breakpoint.Kind switch
            {
                BreakpointKind.SourceLine => ResolveLine(breakpoint, module),
                BreakpointKind.Function => ResolveFunction(breakpoint, module),
                BreakpointKind.LanguageEvent => ResolveEvent(breakpoint, module),
                BreakpointKind.Instruction when breakpoint.InstructionAddress is { } a && module.Contains(a) =>
                    [new BreakpointLocation(a, module, LineAt(module, a))],
                _ => [],
            };
        }
        catch (InvalidDataException)
        {
            // Corrupt debug information in one module must not take down breakpoints in the others.
            return [];
        }
    }

    private static IReadOnlyList<BreakpointLocation> ResolveLine(Breakpoint breakpoint, Module module)
    {
        if (breakpoint.File is null || module.Symbols is not { } symbols) return [];
        var matches = symbols.FindLine(breakpoint.File, (uint)breakpoint.Line);
        string file = breakpoint.File;
        bool inlinedCalls = false;
        if (matches.Count == 0 && Path.IsPathRooted(breakpoint.File))
        {
            file = Path.GetFileName(breakpoint.File);
            matches = symbols.FindLine(file, (uint)breakpoint.Line);
        }
        // A line without statements of its own whose code is all inlined calls (std::to_string at -O2) stops where
        // those calls begin, as gdb and lldb do, rather than moving on to the next line with code.
        if (!matches.Any(m => m.Location.Line == (uint)breakpoint.Line))
        {
            var calls = symbols.FindInlinedCalls(breakpoint.File, (uint)breakpoint.Line);
            if (calls.Count == 0 && file != breakpoint.File) calls = symbols.FindInlinedCalls(file, (uint)breakpoint.Line);
            if (calls.Count > 0) (matches, inlinedCalls) = (calls, true);
        }
        var result = new List<BreakpointLocation>();
        foreach (var m in matches)
            result.Add(new BreakpointLocation(module.ToRuntimeAddress(m.Address), module, m.Location, inlinedCalls));
        return result;
    }

    // At the entry itself, not after the prologue: the event is read from the argument registers.
    private static IReadOnlyList<BreakpointLocation> ResolveEvent(Breakpoint breakpoint, Module module)
    {
        if (module.Elf is not { } elf) return [];
        var result = new List<BreakpointLocation>();
        foreach (var s in elf.Symbols.All)
        {
            if (!s.IsFunction || s.Value == 0 || s.IsUndefined) continue;
            if (!s.Name.Contains("rust_panic", StringComparison.Ordinal) && !s.Name.Contains("__cxa_throw", StringComparison.Ordinal)) continue;
            if (!Traps.LanguageEventSymbols.IsEntry(breakpoint.Event, Elf.Demangling.Demangler.Demangle(s.Name))) continue;
            ulong address = module.ToRuntimeAddress(s.Value);
            if (result.All(l => l.Address != address)) result.Add(new BreakpointLocation(address, module, LineAt(module, address)));
        }
        return result;
    }

    private static IReadOnlyList<BreakpointLocation> ResolveFunction(Breakpoint breakpoint, Module module)
    {
        if (breakpoint.FunctionName is null || module.Symbols is not { } symbols) return [];
        var result = new List<BreakpointLocation>();
        var seen = new HashSet<ulong>();
        foreach (var f in symbols.FindFunctions(breakpoint.FunctionName))
        {
            // Out-of-line functions stop after the prologue, where the arguments are in their homes; inlined
            // instances have no prologue and stop at their first instruction.
            ulong file = f.IsInlined ? f.EntryAddress : AfterPrologue(symbols, f);
            ulong address = module.ToRuntimeAddress(file);
            if (!seen.Add(address)) continue;
            result.Add(new BreakpointLocation(address, module, LineAt(module, address)));
        }
        return result;
    }

    /// <summary>The first address after the prologue of <paramref name="function"/> (its prologue_end row, else its second line row).</summary>
    public static ulong AfterPrologue(SymbolIndex symbols, FunctionMatch function)
    {
        ulong entry = function.EntryAddress;
        ulong end = function.Ranges.Where(r => r.Contains(entry)).Select(r => r.High).DefaultIfEmpty(entry + 1).First();
        var program = symbols.UnitFor(entry)?.LineProgram;
        if (program is null) return entry;
        int i = program.FindRow(entry);
        if (i < 0) return entry;
        var rows = program.Rows;
        uint firstLine = rows[i].Line;
        ulong? secondLine = null;
        for (int k = i; k < rows.Count && rows[k].Address < end && !rows[k].EndSequence; k++)
        {
            if (rows[k].PrologueEnd && rows[k].Address > entry) return rows[k].Address;
            if (secondLine is null && rows[k].Address > entry && rows[k].Line != firstLine && rows[k].Line != 0 && rows[k].IsStatement)
                secondLine = rows[k].Address;
        }
        return secondLine ?? entry;
    }

    /// <summary>The source position of run-time <paramref name="address"/> in <paramref name="module"/>, or null.</summary>
    public static SourceLocation? LineAt(Module module, ulong address)
    {
        if (module.Symbols is not { } symbols) return null;
        try
        {
            return symbols.Lookup(module.ToFileAddress(address)).Line;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
